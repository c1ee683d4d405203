package dev.herd.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Loads herd.yaml into a {@link Spec} or reports every problem at once, each with its line,
 * column and key path. Never throws for bad input: syntax errors, wrong encodings, huge files
 * and alias bombs all become {@link SpecError}s.
 */
public final class SpecLoader {
  /** Larger files are refused before parsing; a real spec is a few kilobytes. */
  public static final int MAX_BYTES = 4 << 20;
  /** Aliases to maps/lists a document may use; enough for sharing, far too few for a bomb. */
  public static final int MAX_COLLECTION_ALIASES = 50;

  private SpecLoader() {}

  /** Loads a herd.yaml file; {@code source} paths in it resolve against its directory. */
  public static SpecResult load(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    Problems problems = new Problems(abs);
    try {
      long size = Files.size(abs);
      if (size > MAX_BYTES) {
        problems.add(1, 1, "", tooLarge(size));
        return new SpecResult.Invalid(problems.sorted());
      }
      return load(abs, Files.readAllBytes(abs));
    } catch (NoSuchFileException e) {
      problems.add(1, 1, "", "no such file: " + abs);
    } catch (IOException e) {
      problems.add(1, 1, "", "cannot read " + abs + ": " + e.getMessage());
    }
    return new SpecResult.Invalid(problems.sorted());
  }

  /** Like {@link #load(Path)}, or throws a {@link SpecException} carrying every error. */
  public static Spec loadOrThrow(Path file) {
    return load(file).orThrow();
  }

  /**
   * Loads a spec from bytes; {@code file} names it in messages and anchors {@code source}
   * paths (they resolve against its directory).
   */
  public static SpecResult load(Path file, byte[] bytes) {
    Path abs = file.toAbsolutePath().normalize();
    Problems problems = new Problems(abs);
    try {
      Optional<Spec> spec = read(abs, bytes, problems);
      if (spec.isPresent() && !problems.any()) {
        return new SpecResult.Loaded(spec.get());
      }
    } catch (StackOverflowError e) {
      problems.add(1, 1, "", "the document is nested too deeply to be a spec");
    } catch (TreeBuilder.TooLarge e) {
      // already reported where it happened
    } catch (RuntimeException e) {
      // A bug in herd, not in the spec; still a located message, never a stack trace.
      problems.add(1, 1, "", "herd could not read this spec (" + e + "); please report this");
    }
    return new SpecResult.Invalid(problems.sorted());
  }

  /** Which keys of the table the binder read while loading (tests check none is ignored). */
  static Set<String> keysRead(Path file, byte[] bytes) {
    Problems problems = new Problems(file.toAbsolutePath().normalize());
    read(problems.file, bytes, problems);
    if (problems.any()) {
      throw new SpecException(problems.sorted());
    }
    return problems.consumed;
  }

  private static Optional<Spec> read(Path file, byte[] bytes, Problems problems) {
    if (bytes.length > MAX_BYTES) {
      problems.add(1, 1, "", tooLarge(bytes.length));
      return Optional.empty();
    }
    Optional<String> text = SourceText.decode(bytes, problems);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (text.get().isBlank()) {
      problems.add(1, 1, "", "the file is empty; a spec needs at least project and roles");
      return Optional.empty();
    }
    Optional<Node> root = compose(text.get(), problems);
    if (root.isEmpty()) {
      return Optional.empty();
    }
    Fields doc = new TreeBuilder(problems).root(root.get());
    return new SpecBinder(problems, file.getParent()).bind(doc, file, digest(bytes));
  }

  private static Optional<Node> compose(String text, Problems problems) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(problems.file.getFileName().toString())
            .setSchema(new CoreSchema())
            .setMaxAliasesForCollections(MAX_COLLECTION_ALIASES)
            .setAllowRecursiveKeys(false)
            .setCodePointLimit(MAX_BYTES + 1)
            .setUseMarks(true)
            .build();
    TreeBuilder marks = new TreeBuilder(problems);
    try {
      Composer composer =
          new Composer(settings, new AliasLimit(new ParserImpl(settings, new StreamReader(settings, text)), MAX_COLLECTION_ALIASES));
      Optional<Node> root = composer.getSingleNode();
      if (root.isEmpty() || TreeBuilder.isNull(root.get())) {
        problems.add(1, 1, "", "the file has no content (only comments?); a spec needs at least project and roles");
        return Optional.empty();
      }
      return root;
    } catch (AliasLimit.Exceeded e) {
      problems.add(marks.loc(e.mark), "",
          "more than " + MAX_COLLECTION_ALIASES + " aliases to maps or lists; refusing a possible alias bomb");
    } catch (MarkedYamlEngineException e) {
      if (!SourceText.reportIndentTabs(text, problems)) {
        if (e.getContext() != null && e.getContext().startsWith("expected a single document")) {
          problems.add(marks.loc(e.getProblemMark()), "", "a second YAML document (---); herd.yaml holds exactly one");
          return Optional.empty();
        }
        String hint = e.getProblem() != null && e.getProblem().contains("<block") ? "; check the indentation" : "";
        String context = e.getContext() == null ? "" : " (" + e.getContext()
            + e.getContextMark().map(m -> " at line " + (m.getLine() + 1)).orElse("") + ")";
        problems.add(marks.loc(e.getProblemMark()), "", "YAML syntax error: " + e.getProblem() + context + hint);
      }
    } catch (YamlEngineException e) {
      problems.add(1, 1, "", "YAML error: " + e.getMessage());
    }
    return Optional.empty();
  }

  private static String tooLarge(long size) {
    return String.format("the file is %.1f MiB; herd.yaml may be at most %d MiB", size / 1048576.0, MAX_BYTES >> 20);
  }

  static String digest(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The rendered errors of a result, one per line (what {@code herd validate} prints). */
  public static List<String> render(SpecResult result) {
    return result.errors().stream().map(SpecError::render).toList();
  }
}
