#!/usr/bin/env bash
# Run every test: unit, integration, end-to-end (the real `vigil` binary) and
# doc tests. Tests that need ../shared/data skip with a message when it is absent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh --with-nudenet
cargo test --workspace --locked
