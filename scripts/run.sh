#!/usr/bin/env bash
# Set up and run Vigil on its embedded default, from a fresh checkout:
# install what it needs, build `vigil`, check the default policy, open the
# embedded SQLite store, import the public data sets (when ../shared/data is
# beside the checkout) and report their statistics, score the bundled
# examples with the shipped text model, then report the outside components. Everything lives in VIGIL_HOME (default: .vigil in the repository).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export VIGIL_HOME="${VIGIL_HOME:-$root/.vigil}"
scripts/setup.sh
cargo build --locked --bin vigil
vigil="$root/target/debug/vigil"

"$vigil" policy check policies/default.toml
"$vigil" store init

shared="${VIGIL_SHARED_DATA:-$root/../shared/data}"
if [ -d "$shared/text" ]; then
  for kind in davidson ethos toxicchat sms-spam xstest hatecheck toxigen; do
    "$vigil" data import "$kind" "$shared/text/$kind" --out "$VIGIL_HOME/datasets/$kind"
    "$vigil" data stats "$VIGIL_HOME/datasets/$kind"
  done
else
  echo "[run] no shared data at $shared: skipping the data set imports"
fi

# Score the bundled examples with the shipped model (compiled into vigil).
"$vigil" classify --input examples/items.jsonl --out "$VIGIL_HOME/example-scores.jsonl"
cat "$VIGIL_HOME/example-scores.jsonl"

"$vigil" doctor
"$vigil" store status
echo "[run] vigil is ready: $vigil (home $VIGIL_HOME)"
