# Sourced by ./herd and scripts/*: find a JDK >= 21 and export JAVA_HOME.
# Order: $JAVA_HOME, java on PATH, then the usual install places.

herd_java_major() { # $1 = java binary; prints the feature version (17, 21, 25...)
  herd_release_major "$1" && { echo "$HERD_V"; return 0; }
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -1
}

# A JDK's release file says its version without starting a JVM (~0.1 s saved per command); read
# with the shell alone (every process costs here: this runs before each herd command). Sets
# HERD_V; fails when $1 (a java binary) has no release file that says it.
herd_release_major() {
  HERD_V=""
  [ -f "${1%/bin/java}/release" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      JAVA_VERSION=\"[0-9]*)
        HERD_V=${line#JAVA_VERSION=\"}
        HERD_V=${HERD_V%%[!0-9]*}
        break ;;
    esac
  done <"${1%/bin/java}/release"
  [ -n "$HERD_V" ]
}

herd_find_java() {
  want=21
  candidates=""
  [ -n "${JAVA_HOME:-}" ] && candidates="$JAVA_HOME"
  if herd_java_bin=$(command -v java 2>/dev/null); then
    herd_java_bin=$(readlink -f "$herd_java_bin")
    candidates="$candidates ${herd_java_bin%/bin/java}"
  fi
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* /usr/local/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$d" ] && candidates="$candidates $d"
  done
  # JAVA_HOME as it is; then the JDKs that say their version in a release file, and only then
  # those that must be run to say it (a JDK without one, say Debian's openjdk-17 symlink
  # directory, ahead of a Temurin one would start an extra JVM on every command)
  for pass in home release run; do
    for d in $candidates; do
      [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
      case "$pass" in
        home) [ "$d" = "${JAVA_HOME:-}" ] || continue ;;
        release) [ -f "$d/release" ] || continue ;;
        run) [ ! -f "$d/release" ] || continue ;;
      esac
      if [ "$pass" = release ]; then
        herd_release_major "$d/bin/java"; v=$HERD_V
      else
        v=$(herd_java_major "$d/bin/java")
      fi
      if [ -n "$v" ] && [ "$v" -ge "$want" ]; then
        JAVA_HOME="$d"; export JAVA_HOME
        HERD_JAVA_MAJOR="$v"
        return 0
      fi
    done
  done
  echo "herd: no JDK >= $want found (looked at JAVA_HOME, PATH, /usr/lib/jvm, /opt/java)." >&2
  echo "herd: install one, e.g. 'apt-get install openjdk-21-jdk-headless' (Debian 13) or Temurin 21+, or set JAVA_HOME." >&2
  return 1
}
