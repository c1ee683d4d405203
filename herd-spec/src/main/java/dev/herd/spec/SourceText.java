package dev.herd.spec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The bytes of a spec file as text: size limit, strict UTF-8, byte order mark, tab check. */
final class SourceText {
  private SourceText() {}

  /** Decodes strict UTF-8; reports where the first bad byte is. */
  static Optional<String> decode(byte[] bytes, Problems problems) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      int offset = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < offset; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      int column = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).codePointCount(0, offset - lineStart) + 1;
      problems.add(line, column, "",
          String.format("not valid UTF-8 (byte 0x%02X at offset %d); save herd.yaml as UTF-8", bytes[offset] & 0xff, offset));
      return Optional.empty();
    }
    decoder.flush(out);
    out.flip();
    String text = out.toString();
    return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
  }

  /** Reports each tab in a line's indentation; YAML indents with spaces only. */
  static boolean reportIndentTabs(String text, Problems problems) {
    boolean found = false;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      for (int c = 0; c < l.length() && (l.charAt(c) == ' ' || l.charAt(c) == '\t'); c++) {
        if (l.charAt(c) == '\t') {
          problems.add(i + 1, c + 1, "", "tab character in indentation; YAML indents with spaces");
          found = true;
          break;
        }
      }
    }
    return found;
  }
}
