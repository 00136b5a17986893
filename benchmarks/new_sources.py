"""Issue 16's check: with the task given, do tool-use and long-context queries surface models
that were actually evaluated on BFCL / RULER, and no old base models?

For each description: the top 10 of ``recommend(description, task=..., max_params_b=8,
include_unknown_size=False)`` with, per row, whether the model has records on the benchmark's
datasets, its release date and whether it is a base (not instruction-tuned) model of 2023 or
earlier. Run: ``python benchmarks/new_sources.py [--write benchmarks/results/new_sources.md]``.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = (  # (description, task, benchmark families whose records count)
    ("We want a small model that calls our internal REST APIs: given a user request and a list of function "
     "signatures, it must pick the right function and fill in its arguments as JSON.", "tool-use", ("bfcl",)),
    ("Question answering over very long documents: contracts and reports of 50-100k tokens, the answer is "
     "somewhere in the middle of the text.", "long-context", ("ruler",)),
)
TUNED = re.compile(r"instruct|chat|-it\b|-it-|sft|dpo|rlhf|assistant|hermes|tool|function|agent|coder-instruct",
                   re.I)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", help="also write the Markdown here")
    args = ap.parse_args()
    from modellens_core import Recommender
    rec = Recommender.load()
    records, cat = rec.corpus.records, rec.catalog.set_index("model")
    family = rec.datasets.set_index("dataset")["family"].astype(str).str.lower()
    lines = ["# New sources: tool use (BFCL) and long context (RULER)", "",
             "Top 10 with the task given, `max_params_b=8`, known sizes only.", ""]
    for text, task, families in QUERIES:
        r = rec.recommend(text, task=task, top_k=10, max_params_b=8, include_unknown_size=False)
        on = set(records.loc[records["dataset"].map(family).isin(families), "model"])
        rows, hits, old_base = [], 0, 0
        for m in r.table["model"]:
            date = str(cat.loc[m, "release_date"]) if m in cat.index else ""
            base = not TUNED.search(m) and date[:4].isdigit() and int(date[:4]) <= 2023
            hits += m in on
            old_base += base
            rows.append(f"| {m} | {cat.loc[m, 'params_b'] if m in cat.index else ''} | {'yes' if m in on else ''} "
                        f"| {date[:10]} | {'BASE <= 2023' if base else ''} |")
        lines += [f"## {task}: {text[:80]}...", "", f"records on {'/'.join(families)}: **{hits} of 10**; "
                  f"base models of 2023 or earlier: **{old_base}**", "",
                  "| model | params (B) | on the benchmark | released | |", "|---|---:|---|---|---|", *rows, ""]
    out = "\n".join(lines)
    print(out)
    if args.write:
        Path(args.write).write_text(out + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
