#!/usr/bin/env bash
# Re-fits the roofline calibration, profiles/catalog/calibration.yaml, to the measured profiles
# (default ../shared/data/profiles) and prints held-out MAPE per op before and after. The date in
# the file is kept unless CALIBRATION_DATE is set, so re-running on the same data rewrites the
# file byte for byte. Regenerate the shipped profiles afterwards:
# scripts/generate-roofline-profiles.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${1:-$root/../shared/data/profiles}"
file="$root/profiles/catalog/calibration.yaml"
date="${CALIBRATION_DATE:-$(sed -n 's/^calibrated_on: *//p' "$file" 2>/dev/null || true)}"
"$root/scripts/llmcap" profile calibrate --data "$data" --out "$file" ${date:+--date "$date"}
