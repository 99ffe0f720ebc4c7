# Sourced by ./wsserver and .ci/run: sets RELAY_JAVA_HOME to a JDK 21 or newer, or explains why it can't.
# Order: $JAVA_HOME (must be 21+), the `java` on PATH, then the usual install folders.

relay_java_major() {
  # `java -version` prints e.g. openjdk version "17.0.15" or "21" or "1.8.0_392"
  local v
  v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v#1.}
  echo "${v%%[.+-]*}"
}

relay_find_jdk() {
  local min=21 major candidate
  RELAY_JAVA_HOME=""
  if [ -n "${JAVA_HOME:-}" ]; then
    if [ ! -x "$JAVA_HOME/bin/java" ]; then
      echo "JAVA_HOME is set to '$JAVA_HOME', but there is no bin/java there; point it at a JDK $min or newer." >&2
      return 1
    fi
    major=$(relay_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -lt "$min" ]; then
      echo "JAVA_HOME points at Java $major ($JAVA_HOME); Relay needs Java $min or newer." >&2
      return 1
    fi
    RELAY_JAVA_HOME=$JAVA_HOME
    return 0
  fi
  local found_versions=""
  if command -v java >/dev/null 2>&1; then
    candidate=$(readlink -f "$(command -v java)")
    major=$(relay_java_major "$candidate")
    if [ "${major:-0}" -ge "$min" ]; then
      RELAY_JAVA_HOME=$(dirname "$(dirname "$candidate")")
      return 0
    fi
    found_versions="Java $major on PATH ($candidate)"
  fi
  for candidate in /usr/lib/jvm/*/bin/java /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java /opt/java/*/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(relay_java_major "$candidate")
    if [ "${major:-0}" -ge "$min" ]; then
      RELAY_JAVA_HOME=$(dirname "$(dirname "$candidate")")
      return 0
    fi
  done
  echo "Relay needs Java $min or newer, but found ${found_versions:-no java at all}. Install a JDK $min+ and set JAVA_HOME to it." >&2
  return 1
}
