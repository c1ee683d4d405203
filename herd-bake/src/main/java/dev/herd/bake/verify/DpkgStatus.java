package dev.herd.bake.verify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The installed-package database of a Debian image: {@code /var/lib/dpkg/status} (mmdebstrap
 * bases) and the per-package files in {@code /var/lib/dpkg/status.d/} (distroless-style bases).
 * RFC822-style stanzas; continuation lines start with a space.
 */
public final class DpkgStatus {
  /** One package stanza. {@code installed} means the Status field ends in "installed". */
  public record Package(String name, String architecture, String version, String status) {
    public boolean installed() {
      return status.endsWith(" installed") || status.equals("installed");
    }
  }

  private final Map<String, List<Package>> byName = new LinkedHashMap<>();

  private DpkgStatus() {}

  public static DpkgStatus parse(List<byte[]> files) {
    DpkgStatus s = new DpkgStatus();
    for (byte[] f : files) {
      s.add(new String(f, StandardCharsets.UTF_8));
    }
    return s;
  }

  private void add(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    String last = null;
    for (String line : (text + "\n\n").split("\n", -1)) {
      if (line.isBlank()) {
        if (fields.containsKey("Package")) {
          Package p = new Package(fields.get("Package"), fields.getOrDefault("Architecture", ""),
              fields.getOrDefault("Version", ""),
              // status.d files of distroless images have no Status field: present means installed.
              fields.getOrDefault("Status", "install ok installed"));
          byName.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p);
        }
        fields.clear();
        last = null;
      } else if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
        fields.put(last, fields.get(last) + "\n" + line.strip());
      } else {
        int colon = line.indexOf(':');
        if (colon > 0) {
          last = line.substring(0, colon);
          fields.put(last, line.substring(colon + 1).strip());
        }
      }
    }
  }

  /** The installed package named {@code name} ({@code name:arch} selects an architecture). */
  public Optional<Package> installed(String name) {
    String n = name;
    String arch = null;
    int colon = name.indexOf(':');
    if (colon > 0) {
      n = name.substring(0, colon);
      arch = name.substring(colon + 1);
    }
    String a = arch;
    return byName.getOrDefault(n, List.of()).stream()
        .filter(Package::installed)
        .filter(p -> a == null || p.architecture().equals(a))
        .findFirst();
  }

  /** Any stanza for {@code name}, installed or not (for "found: config-files" messages). */
  public Optional<Package> any(String name) {
    return byName.getOrDefault(name, List.of()).stream().findFirst();
  }
}
