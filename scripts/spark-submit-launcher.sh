#!/usr/bin/env bash
# bin/spark-submit of the SPARK_HOME that scripts/local-cluster.sh builds from Maven-resolved jars.
# Like the script of a Spark distribution, it asks Spark's launcher library
# (org.apache.spark.launcher.Main) for the java command line of SparkSubmit, which applies
# spark.driver.memory and spark.driver.extraJavaOptions from --properties-file, and runs it.
set -euo pipefail

SPARK_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SPARK_HOME
export SPARK_SCALA_VERSION=${SPARK_SCALA_VERSION:-2.12}
java_command=${JAVA_HOME:+$JAVA_HOME/bin/}java

# The launcher prints its messages, then a NUL and a newline, then the command as NUL-separated
# arguments.
output=$(mktemp)
if ! "$java_command" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \
    org.apache.spark.deploy.SparkSubmit "$@" > "$output"; then
  cat "$output" >&2
  rm -f "$output"
  echo "spark-submit: Spark's launcher (org.apache.spark.launcher.Main in $SPARK_HOME/jars) failed; see its error above" >&2
  exit 1
fi
launch=()
chunk=0
while IFS= read -r -d '' part; do
  chunk=$((chunk + 1))
  if [ "$chunk" = 1 ]; then
    [ -n "$part" ] && printf '%s' "$part" >&2
  elif [ "$chunk" = 2 ]; then
    # The newline after the marker NUL starts the first argument.
    launch+=("${part#$'\n'}")
  else
    launch+=("$part")
  fi
done < "$output"
rm -f "$output"
if [ ${#launch[@]} -eq 0 ]; then
  echo "spark-submit: Spark's launcher printed no command" >&2
  exit 1
fi
exec "${launch[@]}"
