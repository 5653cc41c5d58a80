#!/usr/bin/env python3
"""Short-text false positives: how often Vigil's text model restricts or blocks
short everyday texts, and how often it still catches short harmful ones.

Check sets (never the test split, so that a fix can be tuned on them):
  benign-fixture   bench/fixtures/benign_short_phrases.txt (hand-written
                   everyday phrases, provenance in the file)
  benign-val       validation-split items of every data set given with at most
                   MAX_WORDS words and `unsafe` = 0 (known safe in every harm)
  ham-val          validation-split SMS ham (spam_scam = 0) with at most
                   MAX_WORDS words: everyday messages, but only known not to be
                   spam (docs/datasets.md), so reported apart
  harmful-val      validation-split items with at most MAX_WORDS words and a
                   harm category labelled 1, counted per category

With --split test the three data set slices come from the test split instead
(for reporting a model's held-out figures; never tune on it).

Python only measures: Vigil runs as its own binary (`vigil classify`), and the
policy's thresholds are read from the policy file. An item counts as
"restricted or blocked" in a category when its score reaches the category's
restrict threshold, or its block threshold where the category has no restrict
threshold (sexual_minors, profanity in the default policy).

usage: bench/short_text_fp.py --vigil target/release/vigil [--model DIR]
         [--head DIR [--band LOW,HIGH]] [--policy policies/default.toml]
         --data DIR... [--split validation|test] [--json OUT.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib

MAX_WORDS = 8
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "fixtures", "benign_short_phrases.txt")
HARMS = ["hate", "harassment", "sexual", "sexual_minors", "violence",
         "violence_graphic", "self_harm", "illicit", "spam_scam", "profanity"]


def read_fixture(path):
    items = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            text = line.strip()
            if text and not text.startswith("#"):
                items.append({"id": f"fixture-{i + 1:04d}", "text": text, "labels": {}})
    return items


def read_short(folders, split):
    rows = []
    for folder in folders:
        with open(os.path.join(folder, "items.jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line)
                text = row.get("text") or ""
                if row.get("split") == split and 0 < len(text.split()) <= MAX_WORDS:
                    rows.append(row)
    return rows


def thresholds(policy_path):
    with open(policy_path, "rb") as f:
        policy = tomllib.load(f)
    return {c: v.get("thresholds", {}) for c, v in policy["categories"].items()}


def flagged_at(th):
    """The threshold at which a category restricts or blocks, or None."""
    return th.get("restrict", th.get("block"))


def classify(vigil, extra, items):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "items.jsonl")
        out = os.path.join(tmp, "scores.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for row in items:
                f.write(json.dumps({"id": row["id"], "text": row["text"]}) + "\n")
        subprocess.run([vigil, "classify", "--input", src, "--out", out] + extra,
                       check=True, stdout=subprocess.DEVNULL)
        with open(out, encoding="utf-8") as f:
            return [json.loads(line)["scores"] for line in f if line.strip()]


def benign_rates(items, scores, th):
    """Per category: share of items at or over review, over restrict-or-block,
    and at block; plus the share with any restrict-or-block."""
    n = len(items)
    out = {"n": n, "categories": {}}
    any_flag = 0
    for s in scores:
        if any(flagged_at(th.get(c, {})) is not None and s.get(c, 0.0) >= flagged_at(th[c])
               for c in HARMS):
            any_flag += 1
    out["any_restrict_or_block"] = any_flag / n if n else None
    for c in HARMS + ["unsafe"]:
        t = th.get(c, {})
        row = {}
        for name, thr in (("review", t.get("review")), ("restrict_or_block", flagged_at(t)),
                          ("block", t.get("block"))):
            if thr is not None:
                row[name] = sum(1 for s in scores if s.get(c, 0.0) >= thr) / n if n else None
        out["categories"][c] = row
    return out


def harmful_rates(items, scores, th):
    """Per category with positives: how many, and the share reaching review
    and restrict-or-block in that category."""
    out = {}
    for c in HARMS:
        t = th.get(c, {})
        pos = [s for r, s in zip(items, scores) if r["labels"].get(c) == 1]
        if not pos:
            continue
        row = {"n": len(pos)}
        for name, thr in (("review", t.get("review")), ("restrict_or_block", flagged_at(t))):
            if thr is not None:
                row[name] = sum(1 for s in pos if s.get(c, 0.0) >= thr) / len(pos)
        out[c] = row
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--model")
    ap.add_argument("--head")
    ap.add_argument("--band")
    ap.add_argument("--policy", default="policies/default.toml")
    ap.add_argument("--data", nargs="+", required=True)
    ap.add_argument("--split", default="validation", choices=["validation", "test"])
    ap.add_argument("--fixture", default=FIXTURE)
    ap.add_argument("--json")
    args = ap.parse_args()
    extra = []
    if args.model:
        extra += ["--model", args.model]
    if args.head:
        extra += ["--head", args.head]
    if args.band:
        extra += ["--band", args.band]
    th = thresholds(args.policy)

    short = read_short(args.data, args.split)
    sets = {
        "benign-fixture": read_fixture(args.fixture),
        f"benign-{args.split}": [r for r in short if r["labels"].get("unsafe") == 0],
        f"ham-{args.split}": [r for r in short
                              if r["labels"].get("spam_scam") == 0 and "unsafe" not in r["labels"]],
    }
    harmful = [r for r in short if any(r["labels"].get(c) == 1 for c in HARMS)]
    result = {"policy": args.policy, "max_words": MAX_WORDS, "split": args.split,
              "model": args.model or "shipped", "head": args.head, "benign": {}}
    for name, items in sets.items():
        scores = classify(args.vigil, extra, items)
        result["benign"][name] = benign_rates(items, scores, th)
        result["benign"][name]["restricted_examples"] = [
            {"text": r["text"], "scores": {c: round(s[c], 3) for c in HARMS
                                           if flagged_at(th.get(c, {})) is not None
                                           and s.get(c, 0.0) >= flagged_at(th[c])}}
            for r, s in zip(items, scores)
            if any(flagged_at(th.get(c, {})) is not None and s.get(c, 0.0) >= flagged_at(th[c])
                   for c in HARMS)][:20]
    scores = classify(args.vigil, extra, harmful)
    result["harmful"] = {"n": len(harmful), "categories": harmful_rates(harmful, scores, th)}

    print(f"model {result['model']}, head {args.head}, policy {args.policy}, "
          f"texts of at most {MAX_WORDS} words")
    print("benign: share restricted or blocked (any harm category), then per category "
          "review / restrict-or-block")
    for name, r in result["benign"].items():
        print(f"  {name:<18} n={r['n']:<4} any restrict/block {100 * r['any_restrict_or_block']:5.1f}%")
        for c, row in r["categories"].items():
            cells = "  ".join(f"{k} {100 * v:5.1f}%" for k, v in row.items())
            if any(v > 0 for v in row.values()):
                print(f"      {c:<17} {cells}")
    print("harmful (short, labelled 1): share reaching review / restrict-or-block in its category")
    for c, row in result["harmful"]["categories"].items():
        cells = "  ".join(f"{k} {100 * v:5.1f}%" for k, v in row.items() if k != "n")
        print(f"  {c:<18} n={row['n']:<4} {cells}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
