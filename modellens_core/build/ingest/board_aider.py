"""Adapter for the Aider code-editing leaderboards (``aider``): % of exercises solved (higher
is better) on the polyglot, code-editing and refactoring boards.

The YAML files get a small run reader. ``pass_rate_2`` is the headline (refactor has only
``pass_rate_1``). Traps: a run listed in two files keeps its first file; a run whose test count
is another board's full size belongs to that board; runs below the full test count are
"excluded"; a model's best run per board is kept, its other runs (edit formats, settings) are
"duplicate"; ``quant.yml`` benchmarks one model through providers/quantisations, so its model
label is appended to the base model's id. The ``*_union_history.json`` files are not used
(PR-only and superseded runs).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import datasets_frame, dedupe_records, models_frame, slug
from .table_spec import parse_score

AIDER_BOARDS = {  # board -> (dataset, full test-case count, headline score field)
    "polyglot": ("Aider Polyglot", 225, "pass_rate_2"),
    "edit": ("Aider Code Editing", 133, "pass_rate_2"),
    "refactor": ("Aider Refactoring", 89, "pass_rate_1"),   # one attempt only
}
AIDER_FILES = (  # in priority order: a run (dirname) listed twice keeps its first file
    ("polyglot_leaderboard.yml", "polyglot"), ("edit_leaderboard.yml", "edit"),
    ("refactor_leaderboard.yml", "refactor"), ("o1_polyglot_leaderboard.yml", "polyglot"),
    ("qwen3_leaderboard.yml", "polyglot"), ("quant.yml", "edit"),
)
# quant.yml benchmarks one model through providers/quantisations; its "model" field is the label
AIDER_QUANT_BASE = "Qwen/Qwen2.5-Coder-32B-Instruct"


def _read_yaml(path: Path):
    # the C loader is ~10x faster where libyaml is available; same result
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _aider_runs(source_dir: Path, report: DropReport) -> pd.DataFrame:
    rows = []
    full_to_board = {full: b for b, (_, full, _) in AIDER_BOARDS.items()}
    for fname, board in AIDER_FILES:
        runs = read_file(source_dir / fname, _read_yaml, report)
        for run in runs or []:
            tc = run.get("test_cases")
            # a run whose test count is another board's full size belongs to that board
            # (edit_leaderboard.yml holds one 225-case polyglot run)
            b = full_to_board.get(tc, board) if tc != AIDER_BOARDS[board][1] else board
            model = str(run.get("model", "")).strip()
            base = None
            if fname == "quant.yml":
                model, base = f"{AIDER_QUANT_BASE} ({model})", AIDER_QUANT_BASE
            released = run.get("released") or run.get("_released")
            rows.append({"file": fname, "dirname": run.get("dirname"), "model": model, "board": b,
                         "test_cases": tc, "score": run.get(AIDER_BOARDS[b][2]), "base_model": base,
                         "released": str(released) if released else None, "date": str(run.get("date") or "")})
    return pd.DataFrame(rows)


def load_aider(source_dir: Path) -> SourceResult:
    """Aider code-editing boards: % of exercises solved (pass_rate_2; higher is better)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    runs = _aider_runs(source_dir, report)
    if runs.empty:
        return make_result("aider", dedupe_records([], report), [], [], report)
    report.rows_read += len(runs)
    same_run = runs.duplicated("dirname", keep="first")          # one run listed in two files
    report.drop("duplicate", int(same_run.sum()))
    runs = runs[~same_run]
    full = runs["board"].map(lambda b: AIDER_BOARDS[b][1])
    incomplete = pd.to_numeric(runs["test_cases"], errors="coerce").fillna(0) < full
    report.drop("excluded", int(incomplete.sum()))
    runs = runs[~incomplete].copy()
    parsed = runs["score"].map(parse_score)
    runs["score"] = parsed.map(lambda p: p[0])
    for why in parsed.map(lambda p: p[1]).dropna():
        report.drop(why)
    runs = runs[runs["score"].notna()]
    # best run per (model, board); other edit formats / settings of the same name: duplicates
    runs = runs.sort_values("score", ascending=False, kind="stable")
    records = pd.DataFrame({
        "model": runs["model"], "dataset": runs["board"].map(lambda b: AIDER_BOARDS[b][0]), "subset": "",
        "task": "code-editing", "metric": "pass-rate", "score": runs["score"].astype(float),
        "higher_is_better": None})
    rec = dedupe_records(records, report)
    first_seen = runs.assign(seen=runs["released"].fillna(runs["date"])).groupby("model")["seen"].min()
    meta = {m: {"release_date": d or None} for m, d in first_seen.items()}
    for m, base in runs.dropna(subset=["base_model"])[["model", "base_model"]].itertuples(index=False):
        meta.setdefault(m, {})["base_model"] = base
    models = models_frame(rec, meta, modality="text", pipeline_tag="text-generation")
    datasets = datasets_frame(rec, {ds: {"family": slug(ds)} for ds, _, _ in AIDER_BOARDS.values()})
    return make_result("aider", rec, models, datasets, report)
