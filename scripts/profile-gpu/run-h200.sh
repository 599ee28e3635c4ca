#!/usr/bin/env bash
# The shipped H200 profiles: measures meta-llama/Meta-Llama-3-8B (TP1), meta-llama/Llama-2-70b-hf
# (TP 2, 4 and 8 shard shapes) and Qwen/Qwen-2-7B (TP1) on one H200 into profiles/measured/h200/,
# with the matrix-product peak check, within a total time budget; then, where Java is, scores them
# (LightGBM and roofline held-out MAPE) and re-fits the roofline calibration with them.
#
#   scripts/profile-gpu/run-h200.sh [profile|calibrate|all] [--budget SECONDS] [--out DIR]
#                                   [--archive FILE.tar.gz] [--data DIR]
#
# profile   (GPU machine; needs python3 with PyTorch) runs profile_gpu.py once per model. The
#           budget (default 480 s, so that the whole step stays within 10 minutes) is shared in
#           proportion to each model's measurements, as --dry-run counts them. --archive also
#           packs the results into one file (for a machine whose outputs must be fetched).
# calibrate (needs Java 17 and Maven, and the reference's measured profiles, --data, default
#           ../shared/data/profiles) runs `llmcap predictors evaluate` on the new profiles, then
#           `llmcap profile calibrate` on the reference's profiles together with the new h200
#           ones (rewriting profiles/catalog/calibration.yaml), then evaluates again.
# all       (default) profile, then calibrate if java is on the PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

stage=all
budget=480
out="$root/profiles/measured"
archive=""
data="$root/../shared/data/profiles"
if [[ $# -gt 0 && "$1" != --* ]]; then
  stage="$1"
  shift
fi
while [[ $# -gt 0 ]]; do
  case "$1" in
    --budget) budget="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --archive) archive="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    *) echo "error: $1: unknown option; allowed: --budget, --out, --archive, --data" >&2; exit 2 ;;
  esac
done
case "$stage" in
  profile|calibrate|all) ;;
  *) echo "error: stage '$stage'; allowed: profile, calibrate, all" >&2; exit 2 ;;
esac
if ! [[ "$budget" =~ ^[0-9]+$ ]] || (( budget < 60 )); then
  echo "error: --budget: '$budget'; allowed: whole seconds >= 60" >&2
  exit 2
fi
out="$(mkdir -p "$out" && cd "$out" && pwd)"
sku=h200
# model|TP degrees
targets=(
  "meta-llama/Meta-Llama-3-8B|1"
  "meta-llama/Llama-2-70b-hf|2,4,8"
  "Qwen/Qwen-2-7B|1"
)

profile() {
  local counts=() total=0 n
  for t in "${targets[@]}"; do
    n="$("$python" "$here/profile_gpu.py" --dry-run --sku "$sku" --model "${t%|*}" --tp "${t#*|}" \
      | sed -n 's/^total: \([0-9]*\) measurements.*/\1/p')"
    counts+=("$n")
    total=$((total + n))
  done
  # The matrix products take about 20 s of the first run; the rest of the budget is shared in
  # proportion to the measurements, and time a model leaves unused passes on to the next ones.
  local start=$SECONDS i=0 peak=--matmul-peak reserve=20 share
  for t in "${targets[@]}"; do
    share=$(((budget - reserve - (SECONDS - start)) * counts[i] / total + reserve))
    if (( share < 30 )); then
      share=30
    fi
    echo "== ${t%|*} TP ${t#*|}: ${counts[i]} measurements, budget ${share} s"
    "$python" "$here/profile_gpu.py" --sku "$sku" --model "${t%|*}" --tp "${t#*|}" --out "$out" \
      --time-budget "$share" $peak
    peak=""
    reserve=0
    total=$((total - counts[i]))
    i=$((i + 1))
  done
  echo "profiled in $((SECONDS - start)) s into $out/$sku"
  if [[ -n "$archive" ]]; then
    mkdir -p "$(dirname "$archive")"
    tar -czf "$archive" -C "$out" "$sku"
    echo "packed $archive"
  fi
}

calibrate() {
  if [[ ! -d "$data/compute" ]]; then
    echo "error: --data: '$data' has no compute/ folder; expected the reference's measured profiles" >&2
    exit 2
  fi
  if [[ ! -d "$out/$sku" ]]; then
    echo "error: no $out/$sku: run the profile stage first" >&2
    exit 2
  fi
  local llmcap="$root/scripts/llmcap" merged
  merged="$(mktemp -d)"
  trap 'rm -rf "$merged"' EXIT
  echo "== held-out MAPE on the new profiles, roofline with the current calibration"
  "$llmcap" predictors evaluate --profiles "$out" --out "$out/$sku/evaluation-before.csv"
  # The calibrator reads one folder in the reference layout: the reference's measurements with
  # the new h200 ones beside them (a SKU's own measurements replace those it borrowed).
  mkdir -p "$merged/compute"
  for d in "$data"/compute/* "$data"/network "$data"/compute-legacy; do
    [[ -e "$d" ]] || continue
    case "$d" in
      "$data"/compute/*) [[ "$(basename "$d")" == "$sku" ]] || ln -s "$d" "$merged/compute/" ;;
      *) ln -s "$d" "$merged/" ;;
    esac
  done
  ln -s "$out/$sku" "$merged/compute/$sku"
  echo "== roofline calibration (MAPE def: uncalibrated defaults; MAPE cal: the new fit)"
  "$llmcap" profile calibrate --data "$merged" --out "$root/profiles/catalog/calibration.yaml"
  echo "== held-out MAPE on the new profiles, roofline with the new calibration"
  "$llmcap" predictors evaluate --profiles "$out" --out "$out/$sku/evaluation-after.csv"
  echo "next: scripts/generate-roofline-profiles.sh regenerates profiles/roofline/ from it"
}

case "$stage" in
  profile) profile ;;
  calibrate) calibrate ;;
  all)
    profile
    if command -v java >/dev/null; then
      calibrate
    else
      echo "no java here: run '$0 calibrate' where Java 17 and Maven are"
    fi
    ;;
esac
