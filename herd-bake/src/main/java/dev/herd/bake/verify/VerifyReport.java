package dev.herd.bake.verify;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** The image tests of one role: declared tests first, then the checks implied by resources. */
public record VerifyReport(String role, List<TestResult> results) {
  public VerifyReport {
    results = List.copyOf(results);
  }

  public List<TestResult> failures() {
    return results.stream().filter(r -> !r.passed()).toList();
  }

  public boolean passed() {
    return failures().isEmpty();
  }

  /** Fails the bake with every failing test, each with expected vs found and its location. */
  public void throwIfFailed() {
    if (!passed()) {
      throw new ImageTestsFailedException(
          "image tests of role " + role + ": " + failures().size() + " of " + results.size() + " failed\n  "
              + failures().stream().map(TestResult::toString).collect(Collectors.joining("\n  ")),
          failures());
    }
  }

  /**
   * Writes a JUnit XML report (one testsuite, one testcase per test) for CI systems. The output
   * has no timestamps or durations, so the same results give the same bytes.
   */
  public void writeJUnitXml(Path file) {
    String suite = "herd.image." + role;
    try (OutputStream out = Files.newOutputStream(file)) {
      XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      w.writeStartDocument("UTF-8", "1.0");
      w.writeCharacters("\n");
      w.writeStartElement("testsuites");
      w.writeCharacters("\n  ");
      w.writeStartElement("testsuite");
      w.writeAttribute("name", suite);
      w.writeAttribute("tests", Integer.toString(results.size()));
      w.writeAttribute("failures", Integer.toString(failures().size()));
      w.writeAttribute("errors", "0");
      w.writeAttribute("skipped", "0");
      for (TestResult r : results) {
        w.writeCharacters("\n    ");
        w.writeStartElement("testcase");
        w.writeAttribute("classname", suite);
        w.writeAttribute("name", (r.implied() ? "implied: " : "") + r.name() + " (" + r.origin().keyPath() + ")");
        w.writeAttribute("file", r.origin().location().file().toString());
        w.writeAttribute("line", Integer.toString(r.origin().location().line()));
        if (!r.passed()) {
          w.writeCharacters("\n      ");
          w.writeStartElement("failure");
          w.writeAttribute("message", "expected " + r.expected() + ", found " + r.found());
          w.writeAttribute("type", "ImageTestFailure");
          w.writeCharacters(r.toString());
          w.writeEndElement();
          w.writeCharacters("\n    ");
        }
        w.writeEndElement();
      }
      w.writeCharacters("\n  ");
      w.writeEndElement();
      w.writeCharacters("\n");
      w.writeEndElement();
      w.writeCharacters("\n");
      w.writeEndDocument();
      w.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JUnit report " + file, e);
    } catch (XMLStreamException e) {
      throw new UncheckedIOException("cannot write JUnit report " + file, new IOException(e));
    }
  }
}
