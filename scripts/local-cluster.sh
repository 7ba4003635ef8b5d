#!/usr/bin/env bash
# Runs a Spark standalone cluster on 127.0.0.1 from Maven-resolved Spark jars, with no Spark
# download: one master and N workers, each a separate JVM.
#
# Usage:
#   scripts/local-cluster.sh start [options]   start the cluster and print the master URL on stdout
#   scripts/local-cluster.sh stop [--dir DIR]  stop the master, the workers and their executors
#   scripts/local-cluster.sh status [--dir DIR]
#   scripts/local-cluster.sh spark-home [--dir DIR]  build the SPARK_HOME only and print its path
#
# Options of start:
#   --workers N         number of workers (default 2)
#   --worker-cores C    cores each worker offers (default 1)
#   --worker-memory M   memory each worker offers to executors, e.g. 3g (default 3g); the
#                       application's spark.executor.memory must fit in it
#   --port P            master RPC port; 0 picks a free port (default 0). A fixed port that is
#                       already in use is an error.
#   --worker-hosts LIST comma-separated host names that the workers advertise in turn (default
#                       127.0.0.1). Each must resolve to 127.0.0.1 only, as localhost does, and
#                       the workers still bind to 127.0.0.1. Spark never runs a speculative copy
#                       of a task on the host of the original, so speculation needs two names.
#   --dir DIR           state folder (default work-data/local-cluster): logs/, work/ (executor
#                       folders and logs), pids/, master-url and spark-home/
#
# SPARK_HOME (DIR/spark-home) holds jars/ with links to the jars that scripts/spark-jars/pom.xml
# resolves (Spark 3.5.9 and its dependencies, as in a Spark distribution), a RELEASE file, which
# the worker needs to find jars/, and bin/spark-submit. Every process binds to 127.0.0.1 only.
#
# Exit status: 0 on success, 2 on a usage error, 1 on any other error.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly START_TIMEOUT_SECONDS=90
readonly STOP_TIMEOUT_SECONDS=20

log() { echo "local-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { log "$*"; log "usage: scripts/local-cluster.sh start|stop|status|spark-home [options]; see the header of this script"; exit 2; }

[ $# -ge 1 ] || usage "missing command"
command=$1
shift
workers=2
worker_cores=1
worker_memory=3g
port=0
dir=$repo/work-data/local-cluster
worker_hosts=127.0.0.1
while [ $# -gt 0 ]; do
  case $1 in
    --workers) workers=${2:?--workers needs a value}; shift 2 ;;
    --worker-cores) worker_cores=${2:?--worker-cores needs a value}; shift 2 ;;
    --worker-memory) worker_memory=${2:?--worker-memory needs a value}; shift 2 ;;
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --worker-hosts) worker_hosts=${2:?--worker-hosts needs a value}; shift 2 ;;
    --dir) dir=${2:?--dir needs a value}; shift 2 ;;
    *) usage "unknown option '$1'" ;;
  esac
done
[[ $workers =~ ^[1-9][0-9]*$ ]] || usage "invalid --workers '$workers'; expected a whole number of at least 1"
[[ $worker_cores =~ ^[1-9][0-9]*$ ]] || usage "invalid --worker-cores '$worker_cores'; expected a whole number of at least 1"
[[ $worker_memory =~ ^[1-9][0-9]*[mMgG]$ ]] || usage "invalid --worker-memory '$worker_memory'; expected a size such as 2g or 1536m"
[[ $port =~ ^[0-9]+$ ]] && [ "$port" -le 65535 ] || usage "invalid --port '$port'; expected 0 or a port number up to 65535"
IFS=, read -r -a host_names <<< "$worker_hosts"
[ ${#host_names[@]} -ge 1 ] || usage "invalid --worker-hosts '$worker_hosts'; expected host names such as 127.0.0.1,localhost"
for name in "${host_names[@]}"; do
  if [ "$name" != 127.0.0.1 ]; then
    addresses=$(getent ahostsv4 "$name" | awk '{print $1}' | sort -u | paste -sd ' ')
    [ "$addresses" = 127.0.0.1 ] || usage "invalid --worker-hosts name '$name': it resolves to '${addresses:-nothing}', but every name must resolve to 127.0.0.1 only"
  fi
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
spark_home=$dir/spark-home

# The daemons need the same Java 17 module flags as the driver, read from conf/spark-defaults.conf.
jvm_flags=$(sed -n 's/^spark\.driver\.extraJavaOptions[[:space:]]*//p' "$repo/conf/spark-defaults.conf")

export SPARK_SCALA_VERSION=2.12
export SPARK_LOCAL_IP=127.0.0.1

# Builds SPARK_HOME unless it is newer than the pom that lists its jars.
build_spark_home() {
  local pom=$repo/scripts/spark-jars/pom.xml
  if [ -f "$spark_home/RELEASE" ] && [ "$spark_home/RELEASE" -nt "$pom" ] && [ "$spark_home/RELEASE" -nt "$repo/pom.xml" ]; then
    return
  fi
  command -v mvn >/dev/null || die "mvn not found; install Apache Maven 3.8 or newer (Debian: apt-get install maven)"
  log "resolving the Spark jars into $spark_home/jars"
  rm -rf "$spark_home"
  mkdir -p "$spark_home/jars" "$spark_home/bin"
  local classpath=$dir/spark-classpath.txt
  if ! mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$classpath" > "$dir/maven.log" 2>&1; then
    cat "$dir/maven.log" >&2
    die "resolving the Spark jars with $pom failed; the Maven output is above and in $dir/maven.log"
  fi
  local jar
  tr ':' '\n' < "$classpath" | while IFS= read -r jar; do
    ln -s "$jar" "$spark_home/jars/$(basename "$jar")"
  done
  cp "$repo/scripts/spark-submit-launcher.sh" "$spark_home/bin/spark-submit"
  chmod +x "$spark_home/bin/spark-submit"
  # The worker looks for jars/ only when RELEASE exists, as in a Spark distribution.
  echo "Spark 3.5.9 jars resolved by Maven for kqsweep (scripts/spark-jars/pom.xml)" > "$spark_home/RELEASE"
}

# Prints the PIDs of this cluster's master, workers and executors: Java processes that run one
# of those classes from this cluster's SPARK_HOME. A driver started with its bin/spark-submit
# runs SparkSubmit and is not matched.
cluster_pids() {
  local home_pattern
  home_pattern=$(printf '%s' "$spark_home" | sed 's/[][\.*^$()+?{}|]/\\&/g')
  pgrep -f -- "$home_pattern/jars/.* org\.apache\.spark\.(deploy\.master\.Master|deploy\.worker\.Worker|executor\.CoarseGrainedExecutorBackend) " || true
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until FILE contains a line matching PATTERN or PID exits; prints the line.
wait_for_line() {
  local file=$1 pattern=$2 pid=$3 waited=0 line
  while [ "$waited" -lt $((START_TIMEOUT_SECONDS * 5)) ]; do
    line=$(grep -m 1 -E "$pattern" "$file" 2>/dev/null || true)
    if [ -n "$line" ]; then
      echo "$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
    waited=$((waited + 1))
  done
  return 1
}

# Starts a daemon class in its own session, so that Ctrl-C in the caller's terminal reaches
# the caller's trap first and the stop is orderly.
start_daemon() {
  local name=$1
  shift
  setsid java -Xmx512m $jvm_flags -cp "$spark_home/jars/*" "$@" > "$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/pids/$name.pid"
}

start() {
  command -v java >/dev/null || die "java not found; install a Java 17 JDK (Debian: apt-get install openjdk-17-jdk)"
  if [ -n "$(cluster_pids)" ]; then
    die "a cluster from $dir is already running (PIDs $(cluster_pids | tr '\n' ' ')); stop it with: scripts/local-cluster.sh stop --dir $dir"
  fi
  if [ "$port" != 0 ] && port_in_use "$port"; then
    die "port $port on 127.0.0.1 is already in use; pass another --port, or --port 0 for a free one"
  fi
  build_spark_home
  export SPARK_HOME=$spark_home
  rm -rf "$dir/logs" "$dir/pids" "$dir/work" "$dir/master-url"
  mkdir -p "$dir/logs" "$dir/pids" "$dir/work"

  start_daemon master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0
  local master_pid line url
  master_pid=$(cat "$dir/pids/master.pid")
  line=$(wait_for_line "$dir/logs/master.log" 'Starting Spark master at spark://' "$master_pid") || {
    tail -n 30 "$dir/logs/master.log" >&2
    stop_all
    die "the master did not start within $START_TIMEOUT_SECONDS s; its log is above and in $dir/logs/master.log"
  }
  url=$(echo "$line" | grep -o 'spark://[0-9.]*:[0-9]*')
  log "master $url (PID $master_pid)"

  local i pid host
  for i in $(seq 1 "$workers"); do
    mkdir -p "$dir/work/worker-$i"
    host=${host_names[$(((i - 1) % ${#host_names[@]}))]}
    start_daemon "worker-$i" org.apache.spark.deploy.worker.Worker --host "$host" --port 0 --webui-port 0 \
      --cores "$worker_cores" --memory "$worker_memory" --work-dir "$dir/work/worker-$i" "$url"
  done
  for i in $(seq 1 "$workers"); do
    pid=$(cat "$dir/pids/worker-$i.pid")
    wait_for_line "$dir/logs/worker-$i.log" 'Successfully registered with master' "$pid" > /dev/null || {
      tail -n 30 "$dir/logs/worker-$i.log" >&2
      stop_all
      die "worker $i did not register with $url within $START_TIMEOUT_SECONDS s; its log is above and in $dir/logs/worker-$i.log"
    }
    log "worker $i registered as ${host_names[$(((i - 1) % ${#host_names[@]}))]} ($worker_cores cores, $worker_memory, PID $pid)"
  done
  echo "$url" > "$dir/master-url"
  echo "$url"
}

stop_all() {
  local name pid waited=0
  # Workers first: a worker stopped by SIGTERM also stops its executors.
  for name in $(ls "$dir/pids" 2>/dev/null | sort -r); do
    pid=$(cat "$dir/pids/$name")
    kill -TERM "$pid" 2>/dev/null && log "stopping ${name%.pid} (PID $pid)" || true
  done
  while [ -n "$(cluster_pids)" ] && [ "$waited" -lt $((STOP_TIMEOUT_SECONDS * 5)) ]; do
    sleep 0.2
    waited=$((waited + 1))
  done
  # Executors outlive a worker that was killed with SIGKILL, so they are matched by command line.
  for pid in $(cluster_pids); do
    log "killing PID $pid, still running $STOP_TIMEOUT_SECONDS s after the stop: $(ps -o args= -p "$pid" | cut -c 1-120)"
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$dir/pids" "$dir/master-url"
}

status() {
  if [ -f "$dir/master-url" ] && [ -n "$(cluster_pids)" ]; then
    echo "running: $(cat "$dir/master-url")"
    ps -o pid=,args= -p "$(cluster_pids | paste -sd,)" | cut -c 1-160
  else
    echo "not running ($dir)"
    return 1
  fi
}

case $command in
  start) start ;;
  stop) stop_all ;;
  status) status ;;
  spark-home) build_spark_home; echo "$spark_home" ;;
  *) usage "unknown command '$command'" ;;
esac
