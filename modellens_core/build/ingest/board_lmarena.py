"""Adapter for LMArena (``lmarena``): Elo ratings (higher is better) of the text, vision and
image arenas, with display names as model names.

Tables are described by :class:`~.table_spec.TableSpec` and read by
:func:`~.table_spec.read_table`. One dataset per arena; ``subset`` = snapshot date, since Elo is
only comparable within one snapshot. Trap: the union history keeps each model's *last* snapshot:
its rows whose last snapshot is the lmsys file's (2025-07-18) repeat that file ("duplicate"); the
others are retired models, kept with their own snapshot date as subset (never mixed into another
group). Yi-34B-Chat is listed twice in the text arena (the second copy is a "duplicate").
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import datasets_frame, dedupe_records, models_frame
from .table_spec import TableSpec, parse_score, read_table

LMARENA_SNAPSHOT = "2025-08-04"     # data version of the fboulnois_lmarena_* files
LMSYS_SNAPSHOT = "2025-07-18"       # data date of fboulnois_lmsys_text_2025-08.csv
LMARENA_ARENAS = (  # file, dataset, task, model modality, snapshot
    ("fboulnois_lmarena_text.csv", "lmarena-text", "chat", "text", LMARENA_SNAPSHOT),
    ("fboulnois_lmarena_vision.csv", "lmarena-vision", "vision-chat", "multimodal", LMARENA_SNAPSHOT),
    ("fboulnois_lmarena_image.csv", "lmarena-image", "text-to-image", "multimodal", LMARENA_SNAPSHOT),
    ("fboulnois_lmsys_text_2025-08.csv", "lmarena-text", "chat", "text", LMSYS_SNAPSHOT),
)
LMARENA_UNION = "fboulnois_lmsys_text_union_history.csv"
LMARENA_SPECS = tuple(
    TableSpec(file=f, model_cols=("model",), metric="elo", task=task, dataset_cols=("arena_score",),
              rename=(("arena_score", ds),), subset=snap, higher_is_better=True)
    for f, ds, task, _, snap in LMARENA_ARENAS)


def _lmarena_union(source_dir: Path, report: DropReport) -> tuple[list[dict], pd.DataFrame | None]:
    """Retired models of the text arena, each at its last snapshot (subset = that date)."""
    df = read_file(source_dir / LMARENA_UNION, pd.read_csv, report)
    if df is None:
        return [], None
    report.rows_read += len(df)
    repeat = df["last_seen"].astype(str) == LMSYS_SNAPSHOT   # identical to the lmsys file
    report.drop("duplicate", int(repeat.sum()))
    out = []
    for model, cell, snap in zip(df["model"][~repeat], df["arena_score"][~repeat], df["last_seen"][~repeat]):
        v, why = parse_score(cell)
        if why:
            report.drop(why)
            continue
        out.append({"model": str(model).strip(), "dataset": "lmarena-text", "subset": str(snap),
                    "task": "chat", "metric": "elo", "score": v, "higher_is_better": True})
    return out, df


def _lmarena_meta(tables: list[tuple[pd.DataFrame, str]]) -> dict[str, dict]:
    """organization, license, open weights (Proprietary -> False), modality, first seen."""
    meta: dict[str, dict] = {}
    for df, modality in tables:
        for row in df.to_dict("records"):
            m = str(row["model"]).strip()
            lic = row.get("license")
            lic = None if pd.isna(lic) else str(lic).strip()
            cur = meta.setdefault(m, {"organization": row.get("organization"), "license": lic,
                                      "open_weights": (None if not lic else lic.lower() != "proprietary"),
                                      "modality": modality})
            if modality != "text":
                cur["modality"] = modality       # a model in the vision/image arena is multimodal
            if row.get("first_seen") and not pd.isna(row.get("first_seen")):
                cur["release_date"] = str(row["first_seen"])   # first seen in the arena
    return meta


def load_lmarena(source_dir: Path) -> SourceResult:
    """LMArena arenas: Elo (higher is better) per arena and snapshot; display names as models."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    records: list[dict] = []
    tables = []
    for spec, (_, _, _, modality, _) in zip(LMARENA_SPECS, LMARENA_ARENAS):
        records += read_table(source_dir, spec, report)
        df = read_file(source_dir / spec.file, pd.read_csv, DropReport())  # metadata; already counted
        if df is not None:
            tables.append((df, modality))
    union, udf = _lmarena_union(source_dir, report)
    records += union
    if udf is not None:
        tables.append((udf, "text"))
    rec = dedupe_records(records, report)    # Yi-34B-Chat is listed twice in the text arena
    models = models_frame(rec, _lmarena_meta(tables), pipeline_tag="text-generation")
    datasets = datasets_frame(rec, {"lmarena-text": {"family": "lmarena-text"},
                                    "lmarena-vision": {"family": "lmarena-vision"},
                                    "lmarena-image": {"family": "lmarena-image"}})
    return make_result("lmarena", rec, models, datasets, report)
