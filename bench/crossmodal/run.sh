#!/usr/bin/env bash
# The cross-modal benchmark end to end: make the corpus, scan every modality
# with `vigil scan --items`, score. Builds nothing: give it a built binary.
#
# usage: bench/crossmodal/run.sh [--vigil PATH] [--out DIR] [--modalities "text image audio video"]
#                                [-- VIGIL_SCAN_ARGS...]
# Environment: VIGIL_HOME as for vigil (default .vigil in the checkout, where
# scripts/run.sh imports the data sets and unpacks the models). Arguments
# after `--` go to every `vigil scan` (e.g. --no-cascade). make.py settings
# can be passed through MAKE_ARGS (e.g. MAKE_ARGS="--voice en-us+f2 --rate 140").
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
vigil="$root/target/release/vigil"
out="$here/out"
modalities="text image audio video"
scan_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --vigil) vigil="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --modalities) modalities="$2"; shift 2 ;;
        --) shift; scan_args=("$@"); break ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
export VIGIL_HOME="${VIGIL_HOME:-$root/.vigil}"
cd "$root"   # vigil's default policy path, policies/default.toml, is relative
[ -x "$vigil" ] || { echo "no vigil binary at $vigil (cargo build --release -p vigil-cli)" >&2; exit 2; }

# shellcheck disable=SC2086  # MAKE_ARGS is a list of words on purpose
python3 "$here/make.py" --data "$VIGIL_HOME"/datasets/* --out "$out" ${MAKE_ARGS:-}

# A fresh decision log per run, so the benchmark never mixes with another.
rm -f "$out/bench.db" "$out/bench.db-wal" "$out/bench.db-shm"
timing="$out/timing.json"
echo "{" > "$timing.tmp"
sep=""
decisions=()
for m in $modalities; do
    echo "[crossmodal] scanning $m" >&2
    start=$(date +%s.%N)
    set +e
    "$vigil" scan --items "$out/items-$m.jsonl" --db "$out/bench.db" "${scan_args[@]}" \
        > "$out/decisions-$m.jsonl" 2> "$out/scan-$m.log"
    code=$?
    set -e
    end=$(date +%s.%N)
    wall=$(echo "$end - $start" | bc)
    echo "[crossmodal] $m: exit $code, ${wall} s, $(wc -l < "$out/decisions-$m.jsonl") decisions (log: $out/scan-$m.log)" >&2
    printf '%s "%s": {"wall_s": %s, "exit_code": %d}\n' "$sep" "$m" "$wall" "$code" >> "$timing.tmp"
    sep=","
    decisions+=("$out/decisions-$m.jsonl")
done
echo "}" >> "$timing.tmp"
mv "$timing.tmp" "$timing"

python3 "$here/score.py" --labels "$out/labels.jsonl" --timing "$timing" \
    --json "$out/scores.json" "${decisions[@]}" | tee "$out/scores.md"
