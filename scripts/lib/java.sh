# Sourced by ./herd and scripts/*: find a JDK >= 21 and export JAVA_HOME.
# Order: $JAVA_HOME, java on PATH, then the usual install places.

herd_java_major() { # $1 = java binary; prints the feature version (17, 21, 25...)
  # A JDK's release file says its version without starting a JVM (~0.1 s saved per command);
  # only a JDK without one is asked by running it.
  release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release" | head -1)
    [ -n "$v" ] && { echo "$v"; return 0; }
  fi
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -1
}

herd_find_java() {
  want=21
  candidates=""
  [ -n "${JAVA_HOME:-}" ] && candidates="$JAVA_HOME"
  if command -v java >/dev/null 2>&1; then
    candidates="$candidates $(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* /usr/local/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$d" ] && candidates="$candidates $d"
  done
  for d in $candidates; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v=$(herd_java_major "$d/bin/java")
    if [ -n "$v" ] && [ "$v" -ge "$want" ]; then
      JAVA_HOME="$d"; export JAVA_HOME
      HERD_JAVA_MAJOR="$v"
      return 0
    fi
  done
  echo "herd: no JDK >= $want found (looked at JAVA_HOME, PATH, /usr/lib/jvm, /opt/java)." >&2
  echo "herd: install one, e.g. 'apt-get install openjdk-21-jdk-headless' (Debian 13) or Temurin 21+, or set JAVA_HOME." >&2
  return 1
}
