#!/usr/bin/env bash
# Runs the kqsweep job in one of three modes:
#   ./submit.sh [job options]
#       embedded Spark in local mode on this machine
#   ./submit.sh --master URL [spark-submit options] [job options]
#       $SPARK_HOME/bin/spark-submit to a standalone (spark://), YARN or Kubernetes (k8s://) master
#   ./submit.sh --local-cluster N [spark-submit options] [job options]
#       starts a Spark standalone cluster of N workers on 127.0.0.1 (scripts/local-cluster.sh),
#       submits to it and stops it afterwards, also when the job fails or is interrupted
# Builds the job and fetches what is missing first. ./submit.sh --help lists the job's options;
# docs/cluster.md describes the cluster modes.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$repo"

die() { echo "submit.sh: $*" >&2; exit 1; }

usage() {
  cat <<'USAGE'
Usage:
  ./submit.sh [job options]                       embedded Spark in local mode
  ./submit.sh --master URL [spark-submit options] [job options]
                                                  spark-submit from $SPARK_HOME to a standalone,
                                                  YARN or Kubernetes master (client deploy mode)
  ./submit.sh --local-cluster N [spark-submit options] [job options]
                                                  a standalone cluster of N workers on 127.0.0.1,
                                                  stopped when the job ends
Environment: KQSWEEP_DRIVER_MEMORY (embedded mode, default 8g), KQSWEEP_WORKER_MEMORY
(--local-cluster: memory of each worker and its executor, default 3g), KQSWEEP_CLUSTER_DIR
(--local-cluster: state and logs, default work-data/local-cluster). See docs/cluster.md.

USAGE
}

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
command -v java >/dev/null || die "java not found; install a Java 17 JDK (Debian: apt-get install openjdk-17-jdk)"
[ "$(java_major)" = 17 ] || die "Java 17 is required (Spark 3.5 fails on newer JDKs); found Java $(java_major). Set JAVA_HOME or PATH to a Java 17 JDK."
command -v mvn >/dev/null || die "mvn not found; install Apache Maven 3.8 or newer (Debian: apt-get install maven)"

classpath_file=job/target/classpath.txt
# The application jar for spark-submit, written by the shade execution in job/pom.xml.
app_jar=job/target/kqsweep-job-0.1.0-SNAPSHOT-spark.jar
commit=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)

build() {
  echo "submit.sh: building the job (first time: Maven fetches about 400 MB of dependencies)" >&2
  mvn -q -B -Dstyle.color=never -DskipTests -Dkqsweep.commit="$commit" package
  mvn -q -B -Dstyle.color=never -pl job dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=compile
  # build-classpath leaves an unchanged file untouched, and its time stamp marks the build.
  touch "$classpath_file"
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

# Takes --master URL or --local-cluster N from anywhere on the command line.
master=
local_workers=
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --master)
      [ $# -ge 2 ] || die "--master needs a URL, such as spark://HOST:7077, yarn or k8s://https://HOST:443"
      master=$2; shift 2 ;;
    --master=*) master=${1#--master=}; shift ;;
    --local-cluster)
      [ $# -ge 2 ] || die "--local-cluster needs the number of workers, such as --local-cluster 2"
      local_workers=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
has_option() { local o; for o in ${args[@]+"${args[@]}"}; do [ "$o" = "$1" ] && return 0; done; return 1; }

if has_option --help || has_option -h; then
  usage
  exec java $jvm_flags -cp "job/target/classes:$(cat "$classpath_file")" org.kqsweep.cli.Main --help
fi

if [ -z "$master" ] && [ -z "$local_workers" ]; then
  if ! has_option --config; then
    args=(--config conf/sweep.properties ${args[@]+"${args[@]}"})
  fi

  export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
  exec java -Xmx${KQSWEEP_DRIVER_MEMORY:-8g} $jvm_flags \
    -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
    -cp "job/target/classes:$(cat "$classpath_file")" \
    org.kqsweep.cli.Main --repo "$repo" --cache "$repo/work-data" "${args[@]}"
fi

# ---- Cluster modes ----

[ -z "$master" ] || [ -z "$local_workers" ] || die "give either --master URL or --local-cluster N, not both"
if [ -n "$local_workers" ] && ! [[ $local_workers =~ ^[1-9][0-9]*$ ]]; then
  die "invalid --local-cluster '$local_workers'; expected a number of workers of at least 1"
fi
if [ ! -f "$app_jar" ] || [ -n "$(find pom.xml job/pom.xml job/src/main -newer "$app_jar" -print -quit)" ]; then
  build
fi

# Splits the arguments into spark-submit options, recognized by name, and job options: the job
# rejects anything it does not know. Options that submit.sh sets itself are merged or rejected.
takes_value() {
  case $1 in
    --conf|-c|--name|--jars|--packages|--exclude-packages|--repositories|--files|--archives|--py-files|\
    --driver-memory|--driver-java-options|--driver-library-path|--driver-class-path|--driver-cores|\
    --executor-memory|--executor-cores|--num-executors|--total-executor-cores|--queue|--principal|\
    --keytab|--proxy-user|--properties-file|--deploy-mode|--class) return 0 ;;
    *) return 1 ;;
  esac
}
submit_options=()
job_args=()
user_driver_java_options=
user_executor_java_options=
properties_file=$repo/conf/spark-defaults.conf
while [ ${#args[@]} -gt 0 ]; do
  option=${args[0]}
  if takes_value "$option"; then
    [ ${#args[@]} -ge 2 ] || die "spark-submit option $option needs a value"
    value=${args[1]}
    args=("${args[@]:2}")
  elif [[ $option == --*=* ]] && takes_value "${option%%=*}"; then
    value=${option#*=}
    option=${option%%=*}
    args=("${args[@]:1}")
  elif [ "$option" = --verbose ] || [ "$option" = -v ] || [ "$option" = --supervise ]; then
    submit_options+=("$option")
    args=("${args[@]:1}")
    continue
  else
    job_args+=("$option")
    args=("${args[@]:1}")
    continue
  fi
  case $option in
    --class) die "--class is set by submit.sh to org.kqsweep.cli.Main; remove it" ;;
    --deploy-mode)
      [ "$value" = client ] || die "--deploy-mode $value is not supported: the driver runs in client mode on this machine because it reads this checkout (--repo: scripts/, hdl/) and the model cache (work-data/)" ;;
    --properties-file) properties_file=$value ;;
    --driver-java-options) user_driver_java_options=$value ;;
    --conf|-c)
      case $value in
        spark.driver.extraJavaOptions=*) user_driver_java_options=${value#*=} ;;
        spark.executor.extraJavaOptions=*) user_executor_java_options=${value#*=} ;;
        *=*) submit_options+=(--conf "$value") ;;
        *) die "invalid --conf '$value'; expected KEY=VALUE" ;;
      esac ;;
    *) submit_options+=("$option" "$value") ;;
  esac
done
[ -f "$properties_file" ] || die "properties file $properties_file not found; pass an existing file to --properties-file"

has_job_option() { local o; for o in ${job_args[@]+"${job_args[@]}"}; do [ "${o%%=*}" = "$1" ] && return 0; done; return 1; }
if ! has_job_option --config; then
  job_args=(--config "$repo/conf/sweep.properties" ${job_args[@]+"${job_args[@]}"})
fi
# The driver runs in this checkout, so --repo and --cache default to it as in embedded mode.
has_job_option --repo || job_args=(--repo "$repo" ${job_args[@]+"${job_args[@]}"})
has_job_option --cache || job_args=(--cache "$repo/work-data" ${job_args[@]+"${job_args[@]}"})

# The Java 17 flags of conf/spark-defaults.conf stay in the driver and executor options, and
# options given on the command line are appended to them. conf/log4j2.properties is shipped with
# --files into each executor's working directory, where -Dlog4j2.configurationFile names it.
executor_flags=$(sed -n 's/^spark\.executor\.extraJavaOptions[[:space:]]*//p' conf/spark-defaults.conf)
executor_log_config=log4j2.properties

# Replaces the current process with spark-submit ($1) against the master URL ($2); further
# arguments are spark-submit options that go before the user's, so that the user's win.
exec_spark_submit() {
  local spark_submit=$1 url=$2
  shift 2
  exec "$spark_submit" \
    --master "$url" \
    --deploy-mode client \
    --properties-file "$properties_file" \
    --name kqsweep \
    --files "$repo/conf/log4j2.properties" \
    --conf "spark.driver.extraJavaOptions=$jvm_flags -Dlog4j2.configurationFile=$repo/conf/log4j2.properties $user_driver_java_options" \
    --conf "spark.executor.extraJavaOptions=$executor_flags -Dlog4j2.configurationFile=$executor_log_config $user_executor_java_options" \
    "$@" \
    ${submit_options[@]+"${submit_options[@]}"} \
    --class org.kqsweep.cli.Main \
    "$repo/$app_jar" \
    ${job_args[@]+"${job_args[@]}"}
}

if [ -n "$master" ]; then
  [ -n "${SPARK_HOME:-}" ] || die "SPARK_HOME is not set; set it to a Spark 3.5 installation built for Scala 2.12, whose bin/spark-submit submits the job, or use --local-cluster N to run a cluster on this machine"
  [ -x "$SPARK_HOME/bin/spark-submit" ] || die "$SPARK_HOME/bin/spark-submit not found or not executable; set SPARK_HOME to a Spark 3.5 installation"
  exec_spark_submit "$SPARK_HOME/bin/spark-submit" "$master"
fi

# --local-cluster N: the cluster lives until this script exits, however it exits.
cluster_dir=${KQSWEEP_CLUSTER_DIR:-$repo/work-data/local-cluster}
worker_memory=${KQSWEEP_WORKER_MEMORY:-3g}
driver_pid=
stop_cluster() {
  scripts/local-cluster.sh stop --dir "$cluster_dir" \
    || echo "submit.sh: stopping the local cluster failed; run: scripts/local-cluster.sh stop --dir $cluster_dir" >&2
}
on_signal() {
  echo "submit.sh: interrupted; stopping the job and the local cluster" >&2
  if [ -n "$driver_pid" ]; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  exit 130
}
trap stop_cluster EXIT
trap on_signal INT TERM
url=$(scripts/local-cluster.sh start --workers "$local_workers" --worker-memory "$worker_memory" --dir "$cluster_dir")
# The workers share this machine's file system, so the executors read the log configuration from
# the checkout: the copy that --files ships arrives only after an executor has started.
executor_log_config=$repo/conf/log4j2.properties
export SPARK_LOCAL_IP=127.0.0.1
# The driver runs in the background so that a signal reaches on_signal at once, and driver_pid is
# the driver JVM itself: the subshell and bin/spark-submit both exec.
exec_spark_submit "$cluster_dir/spark-home/bin/spark-submit" "$url" \
  --conf spark.driver.host=127.0.0.1 \
  --conf spark.driver.bindAddress=127.0.0.1 \
  --conf spark.executor.memory="$worker_memory" &
driver_pid=$!
status=0
wait "$driver_pid" || status=$?
driver_pid=
exit "$status"
