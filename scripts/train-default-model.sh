#!/usr/bin/env bash
# Reproduce the text model shipped in models/text-linear from the public data
# sets in ../shared/data and Vigil's own seed data in data/seed. Deterministic:
# the same inputs give byte-identical weights (the manifest's created_at and
# command lines differ). Takes under a minute on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${VIGIL_SHARED_DATA:-$root/../shared/data}"
work="${VIGIL_HOME:-$root/.vigil}/datasets"
out="${1:-$root/models/text-linear}"
cargo build --release --locked --bin vigil
vigil="$root/target/release/vigil"
for kind in davidson ethos toxicchat sms-spam xstest hatecheck toxigen; do
  "$vigil" data import "$kind" "$shared/text/$kind" --out "$work/$kind" >/dev/null
done
"$vigil" train text-linear --name vigil-text-linear --version 2026.11.0 \
  --data "$work"/davidson "$work"/ethos "$work"/toxicchat "$work"/sms-spam "$work"/xstest \
         "$work"/hatecheck "$work"/toxigen data/seed/* \
  --out "$out"
