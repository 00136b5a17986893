"""The contract every source adapter fulfils.

An adapter reads one source folder and returns a :class:`SourceResult`:

* ``records``: one row per observed score, columns :data:`RECORD_COLUMNS`.
  ``model`` and ``dataset`` are the source's names made *source-qualified where the bare
  name is ambiguous* (e.g. ``timm/resnet50.a1_in1k``, ``mmdet/faster-rcnn_r50_fpn_1x_coco``);
  cross-source canonicalisation (``Meta-Llama-3-8B-Instruct`` -> ``meta-llama/...``) is done
  centrally by :mod:`modellens_core.build.canonical`. ``metric`` is the raw metric name; the
  central direction table decides ``higher_is_better`` unless the adapter sets it (True/False)
  because the source states it. ``score`` is a float as published (NaN allowed: it is
  counted and dropped centrally).
* ``models``: model metadata, one row per model name used in ``records`` (plus candidates
  without records), columns :data:`MODEL_COLUMNS`; unknown values are NA, never 0.
* ``datasets``: dataset metadata, columns :data:`DATASET_COLUMNS`.
* ``report``: rows read and rows dropped by reason (see :data:`DROP_REASONS`).

Ingestion knows nothing of torch.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

RECORD_COLUMNS = ["model", "dataset", "subset", "task", "metric", "score", "higher_is_better", "source"]
MODEL_COLUMNS = [
    "model",          # name as used in records
    "params_b",       # float, billions of parameters; NA when unknown (never 0)
    "family",         # str, e.g. "llama", "resnet", "vit"
    "base_model",     # str, lineage where the source gives it
    "modality",       # "text", "vision", "speech", "code", "multimodal", "embedding"...
    "release_date",   # "YYYY-MM-DD" string (release or first seen)
    "open_weights",   # bool or NA
    "license",        # str
    "popularity",     # float (likes/downloads/hearts); NA when unknown
    "description",    # source text, may be empty (a template fills it later)
    "organization",   # str
    "pipeline_tag",   # HF pipeline tag when known
]
DATASET_COLUMNS = [
    "dataset",        # name as used in records
    "family",         # benchmark family (all subsets/languages/subtasks of one benchmark)
    "description",    # source text, may be empty
    "task",           # canonical task
    "domain",         # coarse task domain: text, vision, speech, code, multimodal
    "languages",      # comma-separated ISO codes
]
DROP_REASONS = (
    "nan",                      # empty / NaN score
    "non_numeric",              # a string that is not a number ("-", "Please tell us")
    "duplicate",                # the same (model, group) seen again (same or other source)
    "aggregate_column",         # Average, mean win rate, overall, ...
    "unknown_metric_direction", # no direction known for the metric
    "unparseable_file",         # a file that could not be read (counted per file)
    "flagged",                  # flagged / contaminated / excluded models
    "excluded",                 # rows excluded on purpose (baselines, speed tasks, sentinels)
)


@dataclass
class DropReport:
    """Rows read and rows dropped by reason, for one source."""

    rows_read: int = 0
    dropped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def drop(self, reason: str, n: int = 1) -> None:
        assert reason in DROP_REASONS, reason
        if n:
            self.dropped[reason] += int(n)

    def merge(self, other: "DropReport") -> None:
        self.rows_read += other.rows_read
        self.dropped.update(other.dropped)
        self.notes.extend(other.notes)


@dataclass
class SourceResult:
    source: str
    records: pd.DataFrame
    models: pd.DataFrame
    datasets: pd.DataFrame
    report: DropReport


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def make_result(source: str, records: list[dict] | pd.DataFrame, models=None, datasets=None,
                report: DropReport | None = None) -> SourceResult:
    """Normalise adapter output into frames with exactly the contract columns."""
    rec = pd.DataFrame(records) if not isinstance(records, pd.DataFrame) else records.copy()
    for c in RECORD_COLUMNS:
        if c not in rec.columns:
            rec[c] = "" if c in ("subset", "task") else pd.NA
    rec["source"] = source
    rec["subset"] = rec["subset"].fillna("").astype(str)
    rec["task"] = rec["task"].fillna("").astype(str)
    rec["score"] = pd.to_numeric(rec["score"], errors="coerce")
    mod = pd.DataFrame(models if models is not None else [])
    for c in MODEL_COLUMNS:
        if c not in mod.columns:
            mod[c] = pd.NA
    dat = pd.DataFrame(datasets if datasets is not None else [])
    for c in DATASET_COLUMNS:
        if c not in dat.columns:
            dat[c] = pd.NA
    return SourceResult(source, rec[RECORD_COLUMNS], mod[MODEL_COLUMNS], dat[DATASET_COLUMNS],
                        report or DropReport())


class SourceFileError(RuntimeError):
    """A source file is missing or corrupt; the message names the file."""


def require_dir(source_dir: Path) -> Path:
    """The source folder as a Path; SourceFileError naming it when it is missing."""
    path = Path(source_dir)
    if not path.is_dir():
        raise SourceFileError(f"source folder not found: {path}")
    return path


def read_file(path: Path, reader: Callable, report: DropReport | None = None, **kw):
    """Run ``reader(path, **kw)``; on failure raise SourceFileError naming the file, or, when a
    report is given, count the file as ``unparseable_file`` and return None."""
    try:
        return reader(path, **kw)
    except Exception as exc:  # noqa: BLE001 - any parser error becomes a named, counted failure
        msg = f"cannot read {path}: {type(exc).__name__}: {exc}"
        if report is None:
            raise SourceFileError(msg) from exc
        report.drop("unparseable_file")
        report.notes.append(msg)
        return None
