# Sourced by ./nnfrust and .ci/run: export JAVA_HOME pointing at a JDK >= 21.
_nnfrust_jdk_ok() {
  [[ -x "$1/bin/java" && -x "$1/bin/javac" ]] || return 1
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [[ -n "$v" && "${v%%.*}" -ge 21 ]]
}
if [[ -z "${JAVA_HOME:-}" ]] || ! _nnfrust_jdk_ok "$JAVA_HOME"; then
  JAVA_HOME=""
  for cand in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/*; do
    if _nnfrust_jdk_ok "$cand"; then JAVA_HOME="$cand"; break; fi
  done
  if [[ -z "$JAVA_HOME" ]]; then
    echo "nnfrust: error: no JDK >= 21 found; set JAVA_HOME to one" >&2
    exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's bundled Guava warns about sun.misc.Unsafe on JDK >= 24; keep the build output clean.
if "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  NNFRUST_JDK_FLAGS="--sun-misc-unsafe-memory-access=allow"
else
  NNFRUST_JDK_FLAGS=""
fi
# The block products use the JDK Vector API (an incubator module since JDK 16); ./nnfrust filters the JVM's
# one-line "Using incubator modules" warning.
NNFRUST_JDK_FLAGS="$NNFRUST_JDK_FLAGS --add-modules jdk.incubator.vector"
# ONNX Runtime loads its native library through JNI; say so, so that JDK >= 24 does not warn on every run.
if "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -version >/dev/null 2>&1; then
  NNFRUST_JDK_FLAGS="$NNFRUST_JDK_FLAGS --enable-native-access=ALL-UNNAMED"
fi
