package dev.herd.common.secrets;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * herd's secret detectors. Content rules look at one line at a time; path rules flag files
 * that are credentials by their very name (~/.netrc, id_rsa, ...). Each rule has a stable id
 * used in findings and in {@code secret_scan.allow[].rules}.
 */
public final class SecretRules {
  public static final String AWS_ACCESS_KEY = "aws-access-key";
  public static final String AWS_SECRET_KEY = "aws-secret-key";
  public static final String PRIVATE_KEY = "private-key";
  public static final String GITHUB_TOKEN = "github-token";
  public static final String GITLAB_TOKEN = "gitlab-token";
  public static final String SLACK_TOKEN = "slack-token";
  public static final String STRIPE_KEY = "stripe-key";
  public static final String GENERIC_SECRET = "generic-secret";
  public static final String CREDENTIAL_FILE = "credential-file";
  public static final String TINK_KEYSET = "tink-keyset";
  public static final String JWK_PRIVATE_KEY = "jwk-private-key";

  public static final List<String> IDS = List.of(AWS_ACCESS_KEY, AWS_SECRET_KEY, PRIVATE_KEY, GITHUB_TOKEN, GITLAB_TOKEN,
      SLACK_TOKEN, STRIPE_KEY, GENERIC_SECRET, CREDENTIAL_FILE, TINK_KEYSET, JWK_PRIVATE_KEY);

  /**
   * Minimum Shannon entropy (bits per character) of a value assigned to a password-like key.
   * Random 8+ character secrets score 3.0 and more; repeated or dictionary-ish fillers less.
   */
  public static final double GENERIC_MIN_ENTROPY = 3.0;

  public static final int GENERIC_MIN_LENGTH = 8;

  /**
   * Words that make a variable name (env, config) one that holds a secret; TOKEN only as a whole
   * word ({@code GITHUB_TOKEN}, not {@code MAX_TOKENS}).
   */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i)PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL|(?:^|_)TOKEN(?:$|_)");

  /** The secret word in a variable name ({@code DB_PASSWORD} → PASSWORD), or empty. */
  public static Optional<String> secretWordInName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    Matcher m = SECRET_NAME.matcher(name);
    return m.find() ? Optional.of(m.group().replaceAll("^_|_$", "").toUpperCase(Locale.ROOT)) : Optional.empty();
  }

  /** One hit: the rule and a redacted excerpt. */
  public record Hit(String rule, String excerpt) {}

  /** A hit of a document rule and the (1-based) line it starts on. */
  public record LineHit(int line, Hit hit) {}

  /**
   * A token with a literal prefix. The "not preceded by" check is done by hand: a leading
   * lookbehind stops the regex engine from skipping ahead to the literal, which made a 1 MiB
   * line take seconds.
   */
  private record TokenRule(String id, Pattern pattern, String notAfter) {
    boolean boundaryBefore(String line, int start) {
      if (start == 0) {
        return true;
      }
      char c = line.charAt(start - 1);
      return !(Character.isLetterOrDigit(c) && c < 128) && notAfter.indexOf(c) < 0;
    }
  }

  private static final List<TokenRule> TOKENS = List.of(
      new TokenRule(AWS_ACCESS_KEY, Pattern.compile("(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"), ""),
      new TokenRule(GITHUB_TOKEN, Pattern.compile("gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}"), "_"),
      new TokenRule(GITLAB_TOKEN, Pattern.compile("glpat-[A-Za-z0-9_-]{20,}"), "_-"),
      new TokenRule(SLACK_TOKEN, Pattern.compile("xox[baprs]-[A-Za-z0-9-]{10,}"), ""),
      new TokenRule(STRIPE_KEY, Pattern.compile("[sr]k_live_[A-Za-z0-9]{16,}"), ""));

  /** PEM (PKCS#1 RSA, SEC1 EC, PKCS#8 plain or encrypted, OpenSSH, DSA, PGP) and PuTTY private keys. */
  private static final Pattern PRIVATE_KEY_HEADER = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY( BLOCK)?-----|PuTTY-User-Key-File-[0-9]+: [A-Za-z0-9@.-]+");

  /** Tink's JSON keyset (cleartext: key[].keyData.value; encrypted: encryptedKeyset) by its member names. */
  private static final Pattern TINK_PRIMARY = Pattern.compile("\"primaryKeyId\"\\s*:");
  private static final Pattern TINK_MATERIAL = Pattern.compile("\"(keyData|encryptedKeyset)\"\\s*:");

  /** A JSON Web Key with a private (or symmetric) member: RSA/EC/OKP "d" (and p, q, ...), oct "k". */
  private static final Pattern JWK_TYPE = Pattern.compile("\"kty\"\\s*:\\s*\"(RSA|EC|OKP|oct)\"");
  private static final Pattern JWK_PRIVATE = Pattern.compile("\"(d|p|q|dp|dq|qi|k)\"\\s*:\\s*\"[A-Za-z0-9_=-]{8,}\"");

  private static final Pattern AWS_SECRET = Pattern.compile(
      "(?i)(aws_?secret_?(?:access_?)?key)[\"']?\\s*(?:=|:|=>)\\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])");

  /**
   * Password-like key names. Matched on their own and then widened by hand: a pattern such as
   * {@code [a-z_]*password} backtracks quadratically on a long line (minified JS, a 1 MiB log).
   */
  private static final Pattern SECRET_KEYWORD = Pattern.compile("(?i)password|passwd|secret|token|api_key|apikey|api-key");

  private static final int MAX_VALUE_LENGTH = 512;

  private static final Set<String> PLACEHOLDERS = Set.of("changeme", "change_me", "change-me", "changeit", "password",
      "secret", "example", "placeholder", "redacted", "dummy", "replace_me", "replaceme", "todo", "fixme", "null", "none",
      "true", "false", "yes", "no", "empty", "notasecret", "not-a-secret", "your_password", "your-password", "yourpassword",
      "mysecretpassword");

  private SecretRules() {}

  /** The password-like words of {@link #SECRET_KEYWORD}, lower case; every content rule's match holds one of them or a literal of {@link #nextCandidate}. */
  private static final List<String> KEYWORDS = List.of("password", "passwd", "secret", "token", "api_key", "apikey", "api-key");

  /**
   * Where in {@code text}, at or after {@code from}, the first text any content rule of {@link
   * #scanLine} could match starts, or -1: a token's literal prefix, a private key header, a
   * password-like word (ASCII case ignored, as the rules do). A line without one has no hit, so
   * a file's scan runs the rules only on the lines this points at; one pass of a few comparisons
   * per character instead of every rule's regular expression over every line.
   */
  public static int nextCandidate(String text, int from) {
    int n = text.length();
    for (int i = Math.max(0, from); i < n; i++) {
      switch (text.charAt(i)) {
        case 'A' -> {
          if (text.startsWith("AKIA", i) || text.startsWith("ASIA", i) || keywordAt(text, i)) {
            return i;
          }
        }
        case 'g' -> {
          if ((i + 3 < n && text.charAt(i + 1) == 'h' && "pousr".indexOf(text.charAt(i + 2)) >= 0 && text.charAt(i + 3) == '_')
              || text.startsWith("github_pat_", i) || text.startsWith("glpat-", i)) {
            return i;
          }
        }
        case 'x' -> {
          if (text.startsWith("xox", i)) {
            return i;
          }
        }
        case 'k' -> {
          if (text.startsWith("k_live_", i)) { // [sr]k_live_
            return i;
          }
        }
        case '-' -> {
          if (text.startsWith("-----BEGIN ", i)) {
            return i;
          }
        }
        case 'P' -> {
          if (text.startsWith("PuTTY-User-Key-File-", i) || keywordAt(text, i)) {
            return i;
          }
        }
        case 'a', 'p', 's', 'S', 't', 'T' -> {
          if (keywordAt(text, i)) {
            return i;
          }
        }
        default -> {
          // no rule's match starts with this character
        }
      }
    }
    return -1;
  }

  private static boolean keywordAt(String text, int i) {
    for (String k : KEYWORDS) {
      if (text.regionMatches(true, i, k, 0, k.length())) {
        return true;
      }
    }
    return false;
  }

  /** Content rules over one line of a text file. */
  public static List<Hit> scanLine(String line) {
    List<Hit> hits = new ArrayList<>();
    // Spans already reported by a specific rule: the generic rule does not report them again.
    List<int[]> spans = new ArrayList<>();
    for (TokenRule r : TOKENS) {
      Matcher m = r.pattern().matcher(line);
      while (m.find()) {
        String token = m.group();
        if (!r.boundaryBefore(line, m.start())) {
          continue;
        }
        if (r.id().equals(AWS_ACCESS_KEY) && token.endsWith("EXAMPLE")) {
          continue; // AWS's documentation key AKIAIOSFODNN7EXAMPLE
        }
        hits.add(new Hit(r.id(), Redaction.redact(token)));
        spans.add(new int[] {m.start(), m.end()});
      }
    }
    Matcher pk = PRIVATE_KEY_HEADER.matcher(line);
    if (pk.find()) {
      // The header is not secret; the key body that follows is never shown.
      hits.add(new Hit(PRIVATE_KEY, pk.group() + " (key body not shown)"));
    }
    Matcher aws = AWS_SECRET.matcher(line);
    while (aws.find()) {
      if (!aws.group(2).contains("EXAMPLE")) {
        hits.add(new Hit(AWS_SECRET_KEY, aws.group(1) + "=" + Redaction.redact(aws.group(2))));
        spans.add(new int[] {aws.start(2), aws.end(2)});
      }
    }
    Matcher k = SECRET_KEYWORD.matcher(line);
    int from = 0;
    while (from < line.length() && k.find(from)) {
      int keyStart = k.start();
      while (keyStart > 0 && isKeyChar(line.charAt(keyStart - 1))) {
        keyStart--;
      }
      int keyEnd = k.end();
      while (keyEnd < line.length() && isKeyChar(line.charAt(keyEnd))) {
        keyEnd++;
      }
      from = keyEnd;
      int[] value = assignedValue(line, keyEnd);
      if (value == null) {
        continue;
      }
      int start = value[0];
      int end = value[1];
      from = end;
      boolean covered = spans.stream().anyMatch(sp -> sp[0] < end && start < sp[1]);
      String v = line.substring(start, end);
      if (!covered && looksLikeSecret(v)) {
        hits.add(new Hit(GENERIC_SECRET, line.substring(keyStart, keyEnd) + "=" + Redaction.redact(v)));
      }
    }
    return hits;
  }

  private static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  }

  /**
   * After a key: an optional closing quote, spaces, {@code =}, {@code :} or {@code =>}, spaces,
   * an optional opening quote, then the value up to a quote, space, comma or semicolon.
   * Returns {start, end} of the value, or null when this is not an assignment.
   */
  private static int[] assignedValue(String line, int i) {
    int n = line.length();
    if (i < n && (line.charAt(i) == '"' || line.charAt(i) == '\'')) {
      i++;
    }
    while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    if (i >= n) {
      return null;
    }
    if (line.startsWith("=>", i)) {
      i += 2;
    } else if (line.charAt(i) == '=' || line.charAt(i) == ':') {
      i++;
    } else {
      return null;
    }
    while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
      i++;
    }
    if (i < n && (line.charAt(i) == '"' || line.charAt(i) == '\'')) {
      i++;
    }
    int start = i;
    while (i < n && i - start < MAX_VALUE_LENGTH && " \t\"'`,;".indexOf(line.charAt(i)) < 0) {
      i++;
    }
    return i > start ? new int[] {start, i} : null;
  }

  /** Whether a value assigned to a password-like key is a literal secret rather than a reference. */
  static boolean looksLikeSecret(String value) {
    if (value.length() < GENERIC_MIN_LENGTH) {
      return false;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    if (PLACEHOLDERS.contains(lower)
        || value.startsWith("${") || value.startsWith("$") || value.startsWith("{{") || value.startsWith("{%")
        || value.startsWith("%(") || value.startsWith("<") || value.startsWith("/") || value.startsWith("./")
        || value.startsWith("~/") || value.startsWith("*") || value.startsWith("env:") || value.startsWith("file:")
        || value.matches("(?i)https?://[^@]*") // a URL without credentials
        || value.matches("[A-Za-z_][A-Za-z0-9_.]*\\(.*") // a function call in source code
        || value.matches("(?i)x{4,}|\\.{3,}|-+|_+|0+")) {
      return false;
    }
    return Entropy.bitsPerChar(value) >= GENERIC_MIN_ENTROPY;
  }

  /**
   * Rules over a whole text (key material spreads over several lines: a pretty-printed keyset or
   * JWK). Each hit is reported at the line where the structure starts; nothing of the key is shown.
   */
  public static List<LineHit> scanDocument(String text) {
    List<LineHit> hits = new ArrayList<>();
    Matcher primary = TINK_PRIMARY.matcher(text);
    Matcher material = TINK_MATERIAL.matcher(text);
    if (primary.find() && material.find()) {
      boolean encrypted = material.group(1).equals("encryptedKeyset");
      hits.add(new LineHit(lineOf(text, Math.min(primary.start(), material.start())),
          new Hit(TINK_KEYSET, (encrypted ? "encrypted " : "") + "Tink keyset (key material not shown)")));
    }
    Matcher type = JWK_TYPE.matcher(text);
    if (type.find() && JWK_PRIVATE.matcher(text).find()) {
      hits.add(new LineHit(lineOf(text, type.start()),
          new Hit(JWK_PRIVATE_KEY, "JSON Web Key (kty " + type.group(1) + ") with private members (not shown)")));
    }
    return hits;
  }

  /**
   * Whether a value (of a config key named {@code key}) is a credential or key material by the
   * same rules the bake's scan applies to files: the first hit, if any. Used to refuse secrets
   * stored as plain config.
   */
  public static Optional<Hit> credentialIn(String key, String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    for (String line : value.split("\n", -1)) {
      List<Hit> hits = scanLine(line);
      if (!hits.isEmpty()) {
        return Optional.of(hits.getFirst());
      }
    }
    List<LineHit> doc = scanDocument(value);
    if (!doc.isEmpty()) {
      return Optional.of(doc.getFirst().hit());
    }
    // The key names what the value is: DB_PASSWORD=<random> is a password even on its own.
    if (key != null && value.indexOf('\n') < 0) {
      List<Hit> named = scanLine(key + "=" + value);
      if (!named.isEmpty()) {
        return Optional.of(named.getFirst());
      }
    }
    return Optional.empty();
  }

  private static int lineOf(String text, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** Files that are credentials by name; {@code content} decides for docker configs and empty files. */
  public static Optional<Hit> scanPath(String path, byte[] content) {
    if (content.length == 0) {
      return Optional.empty();
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    String what = null;
    if (path.endsWith("/.aws/credentials")) {
      what = "AWS credentials file";
    } else if (name.equals(".netrc") || name.equals("_netrc")) {
      what = "netrc file";
    } else if (name.equals(".git-credentials")) {
      what = "git credential store";
    } else if (name.equals(".pgpass")) {
      what = "PostgreSQL password file";
    } else if (name.matches("id_(rsa|dsa|ecdsa|ed25519)(_sk)?")) {
      what = "SSH private key";
    } else if (path.endsWith("/.kube/config")) {
      what = "kubeconfig";
    } else if (path.endsWith("/.docker/config.json") && dockerConfigHasAuth(content)) {
      what = "docker config with registry credentials";
    }
    return Optional.ofNullable(what).map(w -> new Hit(CREDENTIAL_FILE, w + " (" + content.length + " bytes, content not shown)"));
  }

  private static final Pattern DOCKER_AUTH = Pattern.compile("\"(auth|identitytoken|registrytoken)\"\\s*:\\s*\"[^\"]+\"");

  private static boolean dockerConfigHasAuth(byte[] content) {
    String text = new String(content, StandardCharsets.UTF_8);
    return text.contains("\"auths\"") && DOCKER_AUTH.matcher(text).find();
  }
}
