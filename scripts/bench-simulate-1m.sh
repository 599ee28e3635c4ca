#!/usr/bin/env bash
# The output-scale benchmark (issue "Results that stay usable at scale"): 1,000,000 quick-start
# requests at 5 QPS through `llmcap simulate` with the default outputs, on ONE core
# (taskset -c <core> and -XX:ActiveProcessorCount=1). Prints wall and CPU time, peak memory, the run
# folder's size per file, and checks that report.html and its plots were written.
#   scripts/bench-simulate-1m.sh [requests (default 1000000)] [core (default 0)] [extra simulate args...]
# Targets: under 30 s wall on an otherwise idle core, under 1 GB of files.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_if_needed
n="${1:-1000000}"
core="${2:-0}"
shift $(( $# > 2 ? 2 : $# ))
out="$(mktemp -d)/run"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "wall %e s, cpu %U s user + %S s sys, max RSS %M KB" \
  taskset -c "$core" java -XX:ActiveProcessorCount=1 -Xmx2g -XX:+UseParallelGC -Djava.awt.headless=true \
  -cp "$jar:$(cat "$cp_file")" io.llmcap.cli.Main simulate \
  --set workload.num_requests="$n" --set workload.interval.qps=5 --out "$out" --quiet "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
ls -l "$out" | awk 'NR > 1 {printf "  %12d  %s\n", $5, $9}'
echo "run folder: $(du -sb "$out" | cut -f1) bytes ($(du -sh "$out" | cut -f1))"
pngs=$(grep -o '<img src="[^"]*"' "$out/report.html" | wc -l)
echo "report.html: $pngs plots"
[ -f "$out/trace_note.txt" ] && echo "trace: $(cat "$out/trace_note.txt")"
rm -rf "$(dirname "$out")"
