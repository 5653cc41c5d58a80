#!/usr/bin/env python3
"""The reference for Vigil's nudity detector: the PyPI package nudenet 3.4.2
(onnxruntime, OpenCV) run on the same model file, written as the numbers the
Rust tests compare against (crates/vigil-image/tests/nudity.rs).

    pip install -r bench/requirements.txt
    scripts/setup.sh --with-nudenet
    python3 bench/nudenet_reference.py            # rewrites the fixture

What it writes (numbers only, computed here; no image and no model data):

* `constructed`: an image made from integer formulas (the Rust test makes the
  same one), prepared by nudenet's own `_read_image`: sums and a sample of the
  input levels, then onnxruntime's raw output on that input (a sample of
  anchors and per-row sums and maxima over all 2,100), and the detections.
  On an identical input tensor, tract's output must match this within 1e-3.
* `images`: for each shared sample image (../shared/data/images/pdq, photos
  with no nudity), the input's mean levels, the highest class score over all
  anchors and its class, and the detections, both with the channel order
  Vigil uses (RGB) and as the package ships (`detections_as_shipped`).

nudenet 3.4.2 converts OpenCV's BGR pixels with COLOR_RGBA2BGR and then lets
blobFromImage swap red and blue again, so the package as published feeds the
model BGR (NudeNet issue 203). Vigil feeds RGB, the order the YOLOv8 model
was trained in; the RGB numbers here are the package's with that one swap
undone, through its own preprocessing and postprocessing functions.
"""

import argparse
import hashlib
import importlib.metadata
import json
import os
import pathlib
import re
import sys

import cv2
import numpy as np
import onnxruntime
from nudenet import nudenet as reference

ROOT = pathlib.Path(__file__).resolve().parent.parent
SIDE = 320
ANCHOR_STRIDE = 19  # every 19th anchor's 22 values go into the fixture
LEVEL_STRIDE = 997  # every 997th input value (a prime: all channels, rows)


def constructed_rgb():
    """480 x 300: colour ramps, a dark rectangle, a skin-toned ellipse.
    Integer arithmetic only, so that Rust makes the very same pixels."""
    width, height = 480, 300
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    rgb = np.zeros((height, width, 3), np.int64)
    rgb[..., 0] = x * 255 // (width - 1)
    rgb[..., 1] = y * 255 // (height - 1)
    rgb[..., 2] = (x + 2 * y) % 256
    rect = (x >= 40) & (x < 140) & (y >= 60) & (y < 240)
    rgb[rect] = (30, 40, 50)
    a, b = 70, 110
    ellipse = (x - 300) ** 2 * b * b + (y - 150) ** 2 * a * a <= a * a * b * b
    rgb[ellipse] = (224, 172, 140)
    return rgb.astype(np.uint8)


def prepare(bgr, as_shipped=False):
    """nudenet's own preprocessing; with the BGR quirk undone unless
    `as_shipped`. Returns the blob and the arguments _postprocess needs."""
    blob, x_ratio, y_ratio, x_pad, y_pad, width, height = reference._read_image(bgr, SIDE)
    if not as_shipped:
        blob = np.ascontiguousarray(blob[:, ::-1])
    return blob, (x_pad, y_pad, x_ratio, y_ratio, width, height, SIDE, SIDE)


def detect(session, bgr, as_shipped=False):
    blob, args = prepare(bgr, as_shipped)
    output = session.run(None, {session.get_inputs()[0].name: blob})
    found = reference._postprocess(output, *args)
    return blob, output[0][0], [
        {"class": d["class"], "score": round(d["score"], 6), "box": d["box"]} for d in found
    ]


def levels(blob):
    return np.rint(blob[0] * 255.0).astype(np.int64)


def best_class(raw):
    scores = raw[4:]
    anchor = int(np.argmax(scores.max(axis=0)))
    cls = int(np.argmax(scores[:, anchor]))
    return {"class": reference.__dict__["__labels"][cls], "score": round(float(scores[cls, anchor]), 6)}


def rounded(values):
    """Seven significant digits: tiny class scores keep their precision."""
    return [float(f"{float(v):.7g}") for v in values]


def main():
    home = pathlib.Path(os.environ.get("VIGIL_HOME", ROOT / ".vigil"))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=pathlib.Path, default=home / "models/nudenet/320n.onnx")
    p.add_argument("--images", type=pathlib.Path, default=ROOT.parent / "shared/data/images/pdq")
    p.add_argument(
        "--out",
        type=pathlib.Path,
        default=ROOT / "crates/vigil-image/tests/data/nudenet-reference.json",
    )
    args = p.parse_args()
    if not args.model.is_file():
        sys.exit(f"{args.model} is absent: run scripts/setup.sh --with-nudenet")
    model_bytes = args.model.read_bytes()
    session = onnxruntime.InferenceSession(str(args.model), providers=["CPUExecutionProvider"])

    rgb = constructed_rgb()
    blob, raw, found = detect(session, rgb[..., ::-1].copy())
    lv = levels(blob).reshape(-1)
    sample_anchors = list(range(0, raw.shape[1], ANCHOR_STRIDE))
    constructed = {
        "width": int(rgb.shape[1]),
        "height": int(rgb.shape[0]),
        "input_level_sums": [int(s) for s in levels(blob).sum(axis=(1, 2))],
        "input_level_stride": LEVEL_STRIDE,
        "input_levels": [int(v) for v in lv[::LEVEL_STRIDE]],
        "output_shape": [1, int(raw.shape[0]), int(raw.shape[1])],
        "anchor_stride": ANCHOR_STRIDE,
        "output_sample": [rounded(raw[:, a]) for a in sample_anchors],
        "output_row_sums": [round(float(s), 4) for s in raw.astype(np.float64).sum(axis=1)],
        "output_row_max": rounded(raw.max(axis=1)),
        "best": best_class(raw),
        "detections": found,
    }

    images = []
    files = sorted(f for f in args.images.rglob("*.jpg")) if args.images.is_dir() else []
    if not files:
        print(f"note: no images in {args.images}; only the constructed image is written")
    for path in files:
        bgr = cv2.imread(str(path))
        blob, raw, found = detect(session, bgr)
        _, _, shipped = detect(session, bgr, as_shipped=True)
        # The package's own entry point, to show the helpers above are it.
        assert shipped == [
            {"class": d["class"], "score": round(d["score"], 6), "box": d["box"]}
            for d in reference.NudeDetector(str(args.model)).detect(str(path))
        ]
        best = best_class(raw)
        images.append(
            {
                "file": path.relative_to(args.images).as_posix(),
                "width": int(bgr.shape[1]),
                "height": int(bgr.shape[0]),
                "input_level_means": [
                    round(float(m), 4) for m in levels(blob).mean(axis=(1, 2))
                ],
                "best": best,
                "detections": found,
                "detections_as_shipped": shipped,
            }
        )
        print(f"{images[-1]['file']:36} best {best['class']:24} {best['score']:.4f}  detections {len(found)}"
              f" (as shipped {len(shipped)})")

    fixture = {
        "note": "Computed by bench/nudenet_reference.py from the model file and the images; "
        "numbers only. Do not edit by hand: rerun the script.",
        "versions": {
            "nudenet": importlib.metadata.version("nudenet"),
            "onnxruntime": onnxruntime.__version__,
            "opencv": cv2.__version__,
            "numpy": np.__version__,
            "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
        },
        "thresholds": {"candidate": 0.2, "nms_score": 0.25, "nms_iou": 0.45},
        "constructed": constructed,
        "images": images,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fixture, indent=1)
    # Lists of numbers on one line each: a diff then shows which changed.
    text = re.sub(r"\[[-0-9.,e\s]*\]", lambda m: re.sub(r"\s+", " ", m.group(0)), text)
    args.out.write_text(text + "\n")
    print(f"constructed image: best {constructed['best']}; "
          f"{len(constructed['detections'])} detections")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
