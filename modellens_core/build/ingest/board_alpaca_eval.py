"""Adapter for AlpacaEval (``alpaca_eval``): AlpacaEval 1.0/2.0 win rates and length-controlled
win rates (%, higher is better) per annotator config.

Each ``*_leaderboard.csv`` is one annotator config, read through a :class:`~.table_spec.TableSpec`
with ``subset`` = the config. Traps: ``NullModel`` (adversarial constant output), the reference
model's self-comparison rows (50.0 by construction) and ``dev`` mode runs (not curated) are
"excluded"; ``minimal`` mode rows are kept: whole small boards consist of them and they are the
maintainers' own runs. The evaluators leaderboard rates annotators, not models: "excluded".
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import datasets_frame, dedupe_records, models_frame
from .table_spec import TableSpec, read_table

ALPACA_BOARDS = (("data_AlpacaEval_2__", "alpacaeval-2"), ("data_AlpacaEval__", "alpacaeval-1"))
ALPACA_METRICS = (("win_rate", "win-rate"), ("length_controlled_winrate", "lc-win-rate"))
ALPACA_EXCLUDED_MODELS = frozenset({"NullModel"})   # adversarial constant output (LC 86.5)
ALPACA_EXCLUDED_MODES = frozenset({"dev"})          # uncurated developer runs
ALPACA_EVALUATORS = "evaluators__evaluators_leaderboard.csv"


def _alpaca_keep(df: pd.DataFrame) -> pd.Series:
    """Rows to keep: not NullModel, not dev mode, not the reference model's self-comparison."""
    model = df.iloc[:, 0].astype(str).str.strip()
    keep = ~model.isin(ALPACA_EXCLUDED_MODELS)
    if "mode" in df:
        keep &= ~df["mode"].astype(str).isin(ALPACA_EXCLUDED_MODES)
    if {"n_draws", "n_total"} <= set(df.columns):
        keep &= ~(pd.to_numeric(df["n_draws"], errors="coerce") == pd.to_numeric(df["n_total"], errors="coerce"))
    return keep


def alpaca_specs(source_dir: Path) -> list[TableSpec]:
    """One spec per annotator-config leaderboard file (subset = annotator config)."""
    specs = []
    for prefix, dataset in ALPACA_BOARDS:
        for path in sorted(Path(source_dir).glob(f"{prefix}*_leaderboard.csv")):
            config = path.name[len(prefix):-len("_leaderboard.csv")]
            parser = (lambda col, d=dataset, c=config: (d, c, dict(ALPACA_METRICS)[col]))
            specs.append(TableSpec(file=path.name, model_cols=("Unnamed: 0",), metric="win-rate",
                                   task="chat", dataset_cols=tuple(c for c, _ in ALPACA_METRICS),
                                   row_filter=_alpaca_keep, column_parser=parser))
    return specs


def load_alpaca_eval(source_dir: Path) -> SourceResult:
    """AlpacaEval 1.0/2.0 win rates and length-controlled win rates (%, higher is better)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    records: list[dict] = []
    for spec in alpaca_specs(source_dir):
        records += read_table(source_dir, spec, report)
    ev = read_file(source_dir / ALPACA_EVALUATORS, pd.read_csv, report)
    if ev is not None:   # rates annotators, not models
        n = int(ev.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").notna().sum().sum())
        report.rows_read += n
        report.drop("excluded", n)
        report.notes.append(f"{ALPACA_EVALUATORS}: annotator ratings, not model scores ({n} cells)")
    rec = dedupe_records(records, report)
    models = models_frame(rec, modality="text", pipeline_tag="text-generation")
    datasets = datasets_frame(rec, {d: {"family": "alpacaeval"} for _, d in ALPACA_BOARDS})
    return make_result("alpaca_eval", rec, models, datasets, report)
