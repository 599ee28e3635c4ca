#!/usr/bin/env bash
# The README's scaling table and plot: llmcap bench on the quick-start scenario (roofline
# predictor, one core, 1 GB heap) against request count and replica count, for vLLM and
# Sarathi-Serve. Writes docs/images/scaling.csv and docs/images/scaling.png.
# Usage: scripts/bench-scaling.sh [max requests, default 10000000]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
max="${1:-10000000}"
out="$root/docs/images"
mkdir -p "$out"
rm -f "$out/scaling.csv"
export LLMCAP_JAVA_OPTS="-Xmx1g -XX:ActiveProcessorCount=1"
one_core=(taskset -c 0)
command -v taskset >/dev/null || one_core=()
for sched in vllm sarathi; do
  for n in 10000 100000 1000000 10000000; do
    [ "$n" -le "$max" ] || continue
    "${one_core[@]}" "$root/scripts/llmcap" bench --sizes "$n" --repeat 1 --csv "$out/scaling.csv" \
      --set predictor.type=roofline --set scheduler.type="$sched"
  done
  # the same load per replica: QPS grows with the replicas
  for reps in 8 64; do
    qps=$(awk -v r="$reps" 'BEGIN { printf "%.2f", 6.45 * r }')
    plot=()
    [ "$sched$reps" = sarathi64 ] && plot=(--plot "$out/scaling.png") # the last run draws them all
    "${one_core[@]}" "$root/scripts/llmcap" bench --sizes 100000 --repeat 1 --csv "$out/scaling.csv" \
      --set predictor.type=roofline --set scheduler.type="$sched" \
      --set cluster.replicas="$reps" --set workload.interval.qps="$qps" "${plot[@]}"
  done
done
