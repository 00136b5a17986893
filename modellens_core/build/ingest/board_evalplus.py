"""Adapter for EvalPlus (``evalplus``): HumanEval(+)/MBPP(+) pass@1 (%), EvalPerf DPS (%) and
RepoQA pass@1 (0-1), all higher is better.

The three JSON files get small record readers. Models are the Hugging Face id of the entry's
link where it has one, else the leaderboard name. Traps: RepoQA keeps the upstream default
similarity threshold 0.8 (others "excluded") and its ``all`` language is an aggregate; EvalPerf
``(⏩)`` variant runs are duplicates of the plain run, its win-rate summaries are aggregates and
its ``heatmap_data`` entry is a pairwise matrix, not a model ("excluded").
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import datasets_frame, dedupe_records, models_frame
from .table_spec import parse_score

EVALPLUS_DATASETS = {"humaneval": ("HumanEval", "humaneval"), "humaneval+": ("HumanEval+", "humaneval"),
                     "mbpp": ("MBPP", "mbpp"), "mbpp+": ("MBPP+", "mbpp")}   # key -> (dataset, family)
EVALPLUS_SUBSET = "evalplus"        # EvalPlus's own greedy pass@1 protocol
EVALPERF_METRICS = ("dps", "dps_norm", "pass@1")              # higher is better (source docs)
EVALPERF_AGGREGATES = ("model_win_rate", "task_win_rate")     # pairwise summaries
EVALPERF_VARIANT = " (⏩)"
REPOQA_THRESHOLD = "0.8"           # upstream default similarity threshold
_HF_LINK = re.compile(r"huggingface\.co/([^/\s?#]+/[^/\s?#]+)")


def hf_id_from_link(link) -> str | None:
    """``org/name`` from a huggingface.co URL, else None."""
    m = _HF_LINK.search(str(link or ""))
    return m.group(1) if m else None


def _evalplus_results(data: dict, report: DropReport, meta: dict) -> list[dict]:
    out = []
    for name, entry in data.items():
        hf = hf_id_from_link(entry.get("link"))
        model = hf or str(name).strip()
        size = entry.get("size")
        meta.setdefault(model, {
            "params_b": float(size) if isinstance(size, (int, float)) and size > 0 else None,
            "organization": hf.split("/")[0] if hf else None, "open_weights": True if hf else None})
        for key, cell in (entry.get("pass@1") or {}).items():
            report.rows_read += 1
            v, why = parse_score(cell)
            if why:
                report.drop(why)          # null = not run
                continue
            ds, _ = EVALPLUS_DATASETS[key]
            out.append({"model": model, "dataset": ds, "subset": EVALPLUS_SUBSET, "task": "code-generation",
                        "metric": "pass@1", "score": v, "higher_is_better": None})
    return out


def _evalperf_model(key: str) -> str:
    """``org--model`` -> ``org/model``; API ids unchanged; the variant mark removed."""
    base = key.replace(EVALPERF_VARIANT, "").strip()
    return base.replace("--", "/", 1) if "--" in base else base


def _evalperf(data: dict, report: DropReport) -> list[dict]:
    out = []
    # plain runs first so that a variant run of the same model is the duplicate
    for key in sorted(data, key=lambda k: EVALPERF_VARIANT in k):
        entry = data[key]
        if key == "heatmap_data":           # pairwise matrix, not a model
            report.rows_read += 1
            report.drop("excluded")
            continue
        for metric, cell in entry.items():
            report.rows_read += 1
            if metric in EVALPERF_AGGREGATES or metric not in EVALPERF_METRICS:
                report.drop("aggregate_column")
                continue
            v, why = parse_score(cell)
            if why:
                report.drop(why)
                continue
            out.append({"model": _evalperf_model(key), "dataset": "EvalPerf", "subset": "",
                        "task": "code-generation", "metric": metric, "score": v, "higher_is_better": True})
    return out


def _repoqa(data: dict, report: DropReport) -> list[dict]:
    out = []
    for model, entry in data.items():
        for lang, by_threshold in (entry.get("scores") or {}).items():
            for threshold, cell in by_threshold.items():
                report.rows_read += 1
                if lang == "all":
                    report.drop("aggregate_column")
                    continue
                if threshold != REPOQA_THRESHOLD:
                    report.drop("excluded")
                    continue
                v, why = parse_score((cell or {}).get("pass@1"))
                if why:
                    report.drop(why)
                    continue
                out.append({"model": str(model).strip(), "dataset": "RepoQA", "subset": lang,
                            "task": "code-generation", "metric": "pass@1", "score": v, "higher_is_better": None})
    return out


def _read_json(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_evalplus(source_dir: Path) -> SourceResult:
    """EvalPlus pass@1 (%), EvalPerf DPS (%) and RepoQA pass@1 (0-1); all higher is better."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    meta: dict[str, dict] = {}
    records: list[dict] = []
    for fname, reader in (("results.json", lambda d: _evalplus_results(d, report, meta)),
                          ("evalperf_COMBINED-RESULTS.json", lambda d: _evalperf(d, report)),
                          ("repoqa_COMBINED-RESULTS.json", lambda d: _repoqa(d, report))):
        data = read_file(source_dir / fname, _read_json, report)
        if data is not None:
            records += reader(data)
    rec = dedupe_records(records, report)
    for m in pd.unique(rec["model"]):
        if "/" in m and m not in meta:
            meta[m] = {"organization": m.split("/")[0]}
    models = models_frame(rec, meta, modality="text", pipeline_tag="text-generation")
    dmeta = {ds: {"family": fam} for ds, fam in EVALPLUS_DATASETS.values()}
    dmeta.update({"EvalPerf": {"family": "evalperf"}, "RepoQA": {"family": "repoqa"}})
    return make_result("evalplus", rec, models, datasets_frame(rec, dmeta), report)
