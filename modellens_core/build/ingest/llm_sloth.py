"""Adapter for Sloth (``sloth``): its LLM benchmark tables data_v1/v2 and its Aug-2024 Open LLM
Leaderboard v2 snapshot.

data_v1/v2 use lowercase names without organisation (emitted as written, subset "sloth"); the
snapshot has HF ids and raw 0-1 scores (subset ``open-llm-v2``, the same dataset names as the
Open LLM v2 adapter). Traps: data_v2 is read first (newer, fills some of v1's gaps), so v1's
repeats are duplicates; the snapshot's normalised columns are "excluded" (raw values only); its
``Flagged`` flag is inverted as in Open LLM v1 (``False`` means flagged); the folder holds copies
of the ObsScaling tables ("duplicate", ingested from obsscaling/), random-chance lower bounds and
a token-count helper table ("excluded").
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, require_dir
from .llm_helpers import (OPEN_LLM_V2, bench_info_by_dataset, common_column, count_cells, datasets_frame, dedupe,
                          models_frame, organization_of, positive_params, records_frame, skip_file, try_csv,
                          with_tasks)
from .llm_obsscaling import OBS_META
from .table_spec import TableSpec, is_aggregate_column, read_table

_SLOTH = "sloth"
_SLOTH_META = ("Model", "Family", "Family2", "Instruct", "date", "#Params (B)",
               "Pretraining Data Size (T)", "FLOPs (1E21)")
_OLL_META = ("T", "Model", "Type", "Architecture", "Weight type", "Precision", "Not_Merged",
             "Hub License", "#Params (B)", "Hub ❤️", "Available on the hub", "Model sha", "Flagged",
             "MoE", "Submission Date", "Upload To Hub Date", "Chat Template", "Maintainer's Highlight")
OPEN_LLM_V2_SUBSET = "open-llm-v2"


def _oll_col(col: str):
    """Open LLM v2 snapshot: ``IFEval Raw`` -> IFEval (raw 0-1); normalised columns -> None."""
    if is_aggregate_column(col):
        return col, OPEN_LLM_V2_SUBSET, "accuracy"          # counted as aggregate by read_table
    if not col.endswith(" Raw"):
        return None
    dataset, _, _, metric = OPEN_LLM_V2[col[: -len(" Raw")]]
    return dataset, OPEN_LLM_V2_SUBSET, metric


SLOTH_SPECS = (  # data_v2 first: it is the newer file and fills some of v1's gaps
    TableSpec("data_v2.csv", ("Model",), "accuracy", ignore_cols=_SLOTH_META, column_parser=common_column(_SLOTH)),
    TableSpec("data_v1.csv", ("Model",), "accuracy", ignore_cols=_SLOTH_META, column_parser=common_column(_SLOTH)),
    TableSpec("open-llm-leaderboard_new.csv", ("Model",), "accuracy", ignore_cols=_OLL_META,
              column_parser=_oll_col),
)
_SLOTH_COPIES = ("base_llm_benchmark_eval.csv", "base_llm_emergent_capability_eval.csv",
                 "base_llm_post_training_eval.csv", "instruct_llm_benchmark_eval.csv",
                 "instruct_llm_agent_eval.csv", "Agent.csv")


def load_sloth(source_dir: Path) -> SourceResult:
    """Sloth data_v1/v2 (lowercase names without org, emitted as written) and its Aug-2024
    Open LLM v2 snapshot (HF ids, raw 0-1 scores, subset ``open-llm-v2``)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    rows: list[dict] = []
    for spec in SLOTH_SPECS:
        rows += read_table(source_dir, spec, report)
    records = records_frame(rows)
    oll_path = source_dir / "open-llm-leaderboard_new.csv"
    oll = try_csv(oll_path)
    if oll is not None:
        count_cells(oll, [c for c in OPEN_LLM_V2 if c in oll.columns], "excluded", report)  # normalised
        # inverted flag (as in Open LLM v1): Flagged == False means the model IS flagged
        flagged = set(oll.loc[oll["Flagged"].astype(str).str.lower() == "false", "Model"])
        hit = records["model"].isin(flagged) & (records["subset"] == OPEN_LLM_V2_SUBSET)
        report.drop("flagged", int(hit.sum()))
        records = records[~hit]
    for name in _SLOTH_COPIES:   # ObsScaling copies: ingested from obsscaling/
        if (source_dir / name).exists():
            skip_file(source_dir / name, "duplicate", report, meta=("Model",) + OBS_META)
    if (source_dir / "lower_bounds.csv").exists():   # random-chance baselines, not a model
        skip_file(source_dir / "lower_bounds.csv", "excluded", report)
    tokens = source_dir / "tokens.csv"
    if tokens.exists():   # token-count helper table: metadata only, its score columns repeat data_v*
        skip_file(tokens, "excluded", report, meta=_SLOTH_META + ("Upload To Hub Date",))
    records = dedupe(with_tasks(records, lambda d: bench_info_by_dataset(d)[:2]), report)
    models = models_frame(records, _sloth_meta(source_dir, oll))
    datasets = datasets_frame(records, lambda d: {"family": bench_info_by_dataset(d)[0]})
    return make_result("sloth", records, models, datasets, report)


def _sloth_meta(source_dir: Path, oll: pd.DataFrame | None) -> pd.DataFrame:
    frames = []
    for name in ("data_v2.csv", "data_v1.csv"):
        df = try_csv(source_dir / name)
        if df is not None:
            frames.append(pd.DataFrame({
                "params_b": positive_params(df["#Params (B)"]).values, "family": df["Family"].values,
                "release_date": df["date"].values,
                "pipeline_tag": "text-generation"}, index=df["Model"].values))
    tt = source_dir / "training_tokens.csv"
    df = try_csv(tt)
    if df is not None:
        frames.append(pd.DataFrame({"params_b": positive_params(df["Parameters (b)"]).values,
                                    "family": df["Family"].values}, index=df["Model"].values))
    if oll is not None:
        frames.append(pd.DataFrame({
            "params_b": positive_params(oll["#Params (B)"]).values, "license": oll["Hub License"].values,
            "popularity": pd.to_numeric(oll["Hub ❤️"], errors="coerce").values,
            "release_date": oll["Upload To Hub Date"].values,
            "organization": organization_of(oll["Model"]).values}, index=oll["Model"].values))
    return pd.concat(frames) if frames else pd.DataFrame()
