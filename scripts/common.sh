# Shared by scripts/llmcap and scripts/spark-submit (sourced, not run): paths, build-on-demand,
# and the JVM flags Spark needs.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/planner/target/planner-0.1.0-SNAPSHOT.jar"
cp_file="$root/planner/target/classpath.txt"            # runtime dependencies
spark_cp_file="$root/planner/target/classpath-spark.txt" # Spark (provided scope)
log4j_conf="$root/planner/src/main/resources/log4j2.properties"

needs_build() {
  [ ! -f "$jar" ] || [ ! -f "$cp_file" ] || [ ! -f "$spark_cp_file" ] && return 0
  [ -n "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src/main "$root/profiles/catalog" \
      -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}

build_if_needed() {
  if needs_build; then
    echo "llmcap: building (first run or sources changed)..." >&2
    (cd "$root" && mvn -q -B install -DskipTests -Dspotless.check.skip=true >&2)
  fi
}

# Plug-in jars (schedulers, routers, predictors, workload generators found through
# java.util.ServiceLoader): LLMCAP_CLASSPATH, ':'-separated like any Java classpath.
plugin_cp() {
  local entry
  for entry in $(tr ':' ' ' <<< "${LLMCAP_CLASSPATH:-}"); do
    if [ ! -e "$entry" ]; then
      echo "error: LLMCAP_CLASSPATH: '$entry' does not exist" >&2
      exit 2
    fi
  done
  if [ -n "${LLMCAP_CLASSPATH:-}" ]; then
    echo ":$LLMCAP_CLASSPATH"
  fi
}

# The parent pom's spark.jvm.flags (one line there): the --add-opens list Spark needs on Java 17.
spark_jvm_flags() {
  sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$root/pom.xml"
}
