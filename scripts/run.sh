#!/usr/bin/env bash
# Set up and run Vigil on its embedded default, from a fresh checkout:
# install what it needs, build `vigil` (release), check the default policy,
# open the embedded SQLite store, import the public data sets (when
# ../shared/data is beside the checkout) and report their statistics, score
# the bundled examples with the shipped text model, report the outside
# components, then run the scanning service in the foreground on
# VIGIL_LISTEN (default 127.0.0.1:8080). Everything lives in VIGIL_HOME
# (default: .vigil in the repository).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export VIGIL_HOME="${VIGIL_HOME:-$root/.vigil}"
scripts/setup.sh
cargo build --locked --release --bin vigil
vigil="$root/target/release/vigil"

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
echo "[run] create a key in another terminal: KEY=\$($vigil keys create --scope admin)"
exec "$vigil" serve --listen "${VIGIL_LISTEN:-127.0.0.1:8080}"
