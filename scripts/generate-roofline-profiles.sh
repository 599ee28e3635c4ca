#!/usr/bin/env bash
# Regenerates the shipped roofline profiles, profiles/roofline/ (or the folder given), for the whole
# catalog from the calibration in profiles/catalog/calibration.yaml: one `llmcap profile roofline`
# per (model, SKU) on the SKU's natural node (`--plan` lists them), then the network profiles of
# every node type. Deterministic: running it again gives byte-identical files.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/profiles/roofline}"

tmp="$(mktemp -d "${out%/}.tmp.XXXXXX")"
jars="$(mktemp -d)"
trap 'rm -rf "$tmp" "$jars"' EXIT

# Build once (if the sources changed), then run copies of the project's jars for every
# invocation, so that a rebuild while this runs cannot change or remove them under it.
"$root/scripts/llmcap" --version >/dev/null
cp="$jars/planner.jar"
cp "$root/planner/target/planner-0.1.0-SNAPSHOT.jar" "$jars/planner.jar"
IFS=: read -r -a entries <<< "$(cat "$root/planner/target/classpath.txt")"
for e in "${entries[@]}"; do
  if [[ "$e" == "$root"/* ]]; then
    cp "$e" "$jars/$(basename "$e")"
    e="$jars/$(basename "$e")"
  fi
  cp="$cp:$e"
done
llmcap() { java -Xmx1g -cp "$cp" io.llmcap.cli.Main "$@"; }

llmcap profile roofline --plan | while read -r model sku node; do
  llmcap profile roofline --model "$model" --sku "$sku" --node "$node" --out "$tmp" >/dev/null
done
sed -n 's/^  - name: //p' "$root/profiles/catalog/nodes.yaml" | while read -r node; do
  llmcap profile roofline --node "$node" --out "$tmp" >/dev/null
done
# Replace the old set only once the new one is complete.
rm -rf "$out"
mv "$tmp" "$out"
du -sh "$out"
