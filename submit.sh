#!/usr/bin/env bash
# Runs the kqsweep job. With no --master it runs with embedded Spark in local mode on this machine.
# Builds the job and fetches what is missing first. ./submit.sh --help lists the job's options.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$repo"

die() { echo "submit.sh: $*" >&2; exit 1; }

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
command -v java >/dev/null || die "java not found; install a Java 17 JDK (Debian: apt-get install openjdk-17-jdk)"
[ "$(java_major)" = 17 ] || die "Java 17 is required (Spark 3.5 fails on newer JDKs); found Java $(java_major). Set JAVA_HOME or PATH to a Java 17 JDK."
command -v mvn >/dev/null || die "mvn not found; install Apache Maven 3.8 or newer (Debian: apt-get install maven)"

classpath_file=job/target/classpath.txt
commit=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)

build() {
  echo "submit.sh: building the job (first time: Maven fetches about 400 MB of dependencies)" >&2
  mvn -q -B -DskipTests -Dkqsweep.commit="$commit" package
  mvn -q -B -pl job dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile
}
newest_source=$(find pom.xml job/pom.xml job/src/main -newer "$classpath_file" -print -quit 2>/dev/null || echo missing)
if [ ! -f "$classpath_file" ] || [ -n "$newest_source" ]; then
  build
fi

# The hardware stage needs GHDL with an executable-building backend (llvm or gcc) on this machine.
wants_hdl() {
  local a
  for a in "$@"; do case "$a" in --no-hdl|hdl.enabled=false) return 1 ;; esac; done
  ! grep -qE '^[[:space:]]*hdl\.enabled[[:space:]]*=[[:space:]]*false' "$(config_file "$@")" 2>/dev/null
}
config_file() {
  local previous=""
  for a in "$@"; do [ "$previous" = --config ] && { echo "$a"; return; }; previous=$a; done
  echo conf/sweep.properties
}
if [ "${1:-}" != --help ] && [ "${1:-}" != -h ] && wants_hdl "$@" && ! command -v ghdl-llvm >/dev/null && ! command -v ghdl-gcc >/dev/null; then
  install=(apt-get install -y --no-install-recommends ghdl ghdl-llvm)
  if [ "$(id -u)" = 0 ]; then
    echo "submit.sh: GHDL not found; installing Debian's ghdl-llvm for the hardware stage" >&2
    apt-get update -qq && "${install[@]}" >&2
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo "submit.sh: GHDL not found; installing Debian's ghdl-llvm with sudo for the hardware stage" >&2
    sudo apt-get update -qq && sudo "${install[@]}" >&2
  else
    die "GHDL not found and this user cannot install packages. Install it with: sudo apt-get install ghdl ghdl-llvm
   or run without the hardware stage: ./submit.sh --no-hdl"
  fi
fi

# The JVM flags Java 17 needs come from conf/spark-defaults.conf, shared with spark-submit.
jvm_flags=$(sed -n 's/^spark\.driver\.extraJavaOptions[[:space:]]*//p' conf/spark-defaults.conf)

args=("$@")
has_option() { local o; for o in "${args[@]}"; do [ "$o" = "$1" ] && return 0; done; return 1; }
if has_option --help || has_option -h; then
  exec java $jvm_flags -cp "job/target/classes:$(cat "$classpath_file")" org.kqsweep.cli.Main --help
fi
if ! has_option --config; then
  args=(--config conf/sweep.properties "${args[@]}")
fi

export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
exec java -Xmx${KQSWEEP_DRIVER_MEMORY:-8g} $jvm_flags \
  -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
  -cp "job/target/classes:$(cat "$classpath_file")" \
  org.kqsweep.cli.Main --repo "$repo" --cache "$repo/work-data" "${args[@]}"
