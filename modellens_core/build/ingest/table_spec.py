"""Declarative reader for plain wide and long tables.

A source made of CSV/TSV tables is described by a list of :class:`TableSpec` (which columns
hold models, which hold datasets or scores, the metric, the direction) instead of a parser of
its own. :func:`read_table` turns one spec into record dicts and counts what it drops.

Wide layout: one row per model, one column per dataset (``dataset_cols``; default: every
column not listed in ``id_cols``/``meta_cols``/``ignore_cols``). Long layout: one row per
(model, dataset) score, with ``dataset_col`` and ``score_col``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pandas as pd

from .base import DropReport, read_file

_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_AGGREGATE = re.compile(
    r"^(avg|average|mean|overall|score|rank|win|total)\b|average|mean win rate|\bavg\b|overall|^rank",
    re.IGNORECASE)


def parse_score(value) -> tuple[float | None, str | None]:
    """Parse a published score cell.

    Returns ``(value, None)`` or ``(None, reason)`` with reason ``"nan"`` (empty / NaN) or
    ``"non_numeric"``. Accepts numbers, ``"77.0%"``, ``"0.7482 ± 0.0015"`` (the mean),
    ``"94.2/92.3"`` (the first of a paired cell) and thousands separators.
    """
    if value is None:
        return None, "nan"
    if isinstance(value, bool):
        return None, "non_numeric"
    if isinstance(value, (int, float)):
        v = float(value)
        return (None, "nan") if math.isnan(v) else ((v, None) if math.isfinite(v) else (None, "non_numeric"))
    s = str(value).strip().replace(",", "")
    if s == "" or s.lower() in {"nan", "none", "null", "n/a", "na"}:
        return None, "nan"
    s = s.replace("−", "-")
    m = _NUM.match(s.lstrip("(").strip())
    if not m:
        return None, "non_numeric"
    rest = s.lstrip("(").strip()[m.end():].strip()
    if rest and not (rest.startswith("%") or rest.startswith("±") or rest.startswith("+/-")
                     or rest.startswith("/") or rest.startswith("(")):
        return None, "non_numeric"
    v = float(m.group(0))
    return (v, None) if math.isfinite(v) else (None, "non_numeric")


def is_aggregate_column(name: str) -> bool:
    """True for averages, ranks, win rates, 'overall' and similar summary columns."""
    return bool(_AGGREGATE.search(str(name).strip()))


@dataclass(frozen=True)
class TableSpec:
    """How to read one table. All names are column names of the file."""

    file: str                                   # path relative to the source folder
    model_cols: tuple[str, ...]                 # joined by ``model_join`` to make the model name
    metric: str                                 # raw metric name (central table gives direction)
    task: str = ""                              # canonical task for every record of the file
    layout: str = "wide"                        # "wide" or "long"
    model_join: str = "."
    model_format: str = "{}"                    # e.g. "timm/{}"
    dataset_cols: Optional[tuple[str, ...]] = None   # wide: score columns (None: all others)
    ignore_cols: tuple[str, ...] = ()           # wide: non-score columns (metadata, ids)
    aggregate_cols: tuple[str, ...] = ()        # wide: extra summary columns to count as aggregate
    dataset_col: str = ""                       # long: the column naming the dataset
    score_col: str = ""                         # long: the score column
    subset_col: str = ""                        # long: optional subset column
    subset: str = ""                            # fixed subset / protocol tag for every record
    dataset_prefix: str = ""                    # prepended to dataset names ("imagenet-c/")
    rename: tuple[tuple[str, str], ...] = ()    # raw dataset name -> dataset id
    higher_is_better: Optional[bool] = None     # set when the source states the direction
    read_kw: tuple[tuple[str, object], ...] = ()  # pandas.read_csv keyword arguments
    row_filter: Optional[Callable[[pd.DataFrame], pd.Series]] = None  # rows to keep
    column_parser: Optional[Callable[[str], Optional[tuple[str, str, str]]]] = None
    # wide: column -> (dataset, subset, metric) or None to ignore; overrides the fixed fields


def read_table(source_dir: Path, spec: TableSpec, report: DropReport,
               extra: Callable[[pd.Series], dict] | None = None) -> list[dict]:
    """Read one table per ``spec``; return record dicts (raw names, published scores)."""
    path = Path(source_dir) / spec.file
    df = read_file(path, pd.read_csv, report, **dict(spec.read_kw))
    if df is None:
        return []
    if spec.row_filter is not None:
        keep = spec.row_filter(df).fillna(False).astype(bool)
        n_dropped = int((~keep).sum()) * max(1, _n_score_cols(df, spec))
        report.rows_read += n_dropped
        report.drop("excluded", n_dropped)
        df = df[keep]
    renames = dict(spec.rename)
    out: list[dict] = []

    def emit(model, dataset, subset, metric, cell):
        report.rows_read += 1
        if model is None or str(model).strip() in ("", "nan"):
            report.drop("nan")
            return
        v, why = parse_score(cell)
        if why:
            report.drop(why)
            return
        out.append({"model": spec.model_format.format(str(model).strip()),
                    "dataset": spec.dataset_prefix + renames.get(dataset, dataset),
                    "subset": subset, "task": spec.task, "metric": metric, "score": v,
                    "higher_is_better": spec.higher_is_better})

    models = df[list(spec.model_cols)].astype(str).agg(spec.model_join.join, axis=1) \
        if len(spec.model_cols) > 1 else df[spec.model_cols[0]]
    if spec.layout == "long":
        for i, (m, d, s) in enumerate(zip(models, df[spec.dataset_col], df[spec.score_col])):
            sub = str(df[spec.subset_col].iloc[i]) if spec.subset_col else spec.subset
            if is_aggregate_column(str(d)) or str(d) in spec.aggregate_cols:
                report.rows_read += 1
                report.drop("aggregate_column")
                continue
            emit(m, str(d), sub, spec.metric, s)
        return out
    for col in _score_columns(df, spec):
        if spec.column_parser is not None:
            parsed = spec.column_parser(col)
            if parsed is None:
                continue
            dataset, subset, metric = parsed
        else:
            dataset, subset, metric = col, spec.subset, spec.metric
        if col in spec.aggregate_cols or is_aggregate_column(col):
            n = int(df[col].notna().sum())
            report.rows_read += n
            report.drop("aggregate_column", n)
            continue
        for m, cell in zip(models, df[col]):
            emit(m, dataset, subset, metric, cell)
    return out


def _score_columns(df: pd.DataFrame, spec: TableSpec) -> list[str]:
    if spec.dataset_cols is not None:
        return [c for c in spec.dataset_cols if c in df.columns]
    skip = set(spec.model_cols) | set(spec.ignore_cols)
    return [c for c in df.columns if c not in skip and not str(c).startswith("Unnamed")]


def _n_score_cols(df: pd.DataFrame, spec: TableSpec) -> int:
    return 1 if spec.layout == "long" else len(_score_columns(df, spec))
