#!/usr/bin/env bash
# Reproduce the text models shipped in models/text-linear and models/text-head
# from the public data sets in ../shared/data and Vigil's own seed data in
# data/seed. usage: scripts/train-default-model.sh [LINEAR_DIR [HEAD_DIR]] Deterministic:
# the same inputs give byte-identical weights (the manifest's created_at and
# command lines differ). The linear model takes about a minute on 2 cores, the
# transformer head about ten (it embeds every training text).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${VIGIL_SHARED_DATA:-$root/../shared/data}"
export VIGIL_HOME="${VIGIL_HOME:-$root/.vigil}"
work="$VIGIL_HOME/datasets"
scripts/setup.sh   # the transformer's files come from the model cache
out="${1:-$root/models/text-linear}"
cargo build --release --locked --bin vigil
vigil="$root/target/release/vigil"
for kind in davidson ethos toxicchat sms-spam xstest hatecheck toxigen; do
  "$vigil" data import "$kind" "$shared/text/$kind" --out "$work/$kind" >/dev/null
done
"$vigil" train text-linear --name vigil-text-linear --version 2026.11.1 \
  --data "$work"/davidson "$work"/ethos "$work"/toxicchat "$work"/sms-spam "$work"/xstest \
         "$work"/hatecheck "$work"/toxigen data/seed/* \
  --out "$out"
# The accurate path: the transformer head over the model cache's MiniLM,
# stacked on the linear model just written.
"$vigil" train text-transformer --version 2026.11.1 --linear "$out" \
  --data "$work"/davidson "$work"/ethos "$work"/toxicchat "$work"/sms-spam "$work"/xstest \
         "$work"/hatecheck "$work"/toxigen data/seed/* \
  --out "${2:-$root/models/text-head}"
