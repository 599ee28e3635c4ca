#!/usr/bin/env bash
# Times capacity searches as the search reports itself (not a test): the paper-scale deployment
# (search-configs/paper-scale.yml on local[2]) and the quick start (local[*]), each run N times
# (default 3), printing every run's "time:" line, its answer and the median search and wall times.
# Usage: scripts/bench-search.sh [N] [CONFIG...]   (builds first if the sources changed)
# Note the machine's load (printed): other jobs on the cores make every figure longer.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_if_needed
n="${1:-3}"
shift || true
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(search-configs/paper-scale.yml search-configs/quickstart.yml)
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for cfg in "${configs[@]}"; do
  master='local[*]'
  case "$cfg" in *paper-scale*) master='local[2]' ;; esac
  searches=(); walls=()
  for i in $(seq "$n"); do
    echo "== $cfg run $i ($master), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    t0=$(date +%s.%N)
    # shellcheck disable=SC2046
    java ${LLMCAP_JAVA_OPTS:--Xmx2g} -XX:+UseParallelGC -Djava.awt.headless=true $(spark_jvm_flags) \
      -cp "$jar:$(cat "$cp_file"):$(cat "$spark_cp_file")" io.llmcap.cli.Main \
      search "$root/$cfg" --master "$master" --out "$out/r$i" --force > "$out/log" 2>&1
    t1=$(date +%s.%N)
    grep -E '^(searched|time:|    max QPS)' "$out/log" | sed 's/^/   /'
    searches+=("$(sed -n 's/^time: search \([0-9.]*\) s.*/\1/p' "$out/log")")
    walls+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s: median search %s s, median wall %s s over %d runs\n' "$cfg" \
    "$(printf '%s\n' "${searches[@]}" | median)" "$(printf '%s\n' "${walls[@]}" | median)" "$n"
done
