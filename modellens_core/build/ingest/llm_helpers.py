"""Shared benchmark vocabulary and record helpers of the LLM result adapters (``llm_*.py``).

Plain tables are described by :class:`~.table_spec.TableSpec` lists and read with
:func:`~.table_spec.read_table`; the few layouts it cannot express (Epoch's one headline column
per file, Swallow's nested YAML and its history file) go through :func:`emit_records`, which
parses cells with the same :func:`~.table_spec.parse_score` and counts drops the same way.
Files (or columns) deliberately not ingested are still read and their cells counted as dropped
(:func:`skip_file`, :func:`count_cells`). Scores are kept as published; groups never mix
protocols: every record carries a protocol tag in ``subset``. Raw benchmark column names map to
shared dataset names through :func:`bench_info` (the same names as the Open LLM v2 adapter).
Invariant for every LLM adapter: ``rows_read == len(records) + sum(drops) - unparseable files``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from ...common.tasks import task_domain
from .base import DropReport, read_file
from .table_spec import parse_score

KEY = ["model", "dataset", "subset", "task", "metric"]   # one evaluation of one model

# --------------------------------------------------------------------------------------------
# Shared benchmark vocabulary: raw column -> (dataset, family, task, metric)
# --------------------------------------------------------------------------------------------
OPEN_LLM_V2 = {  # same dataset names as the Open LLM v2 adapter; raw (0-1) values only
    "IFEval": ("IFEval", "ifeval", "instruction-following", "accuracy"),
    "BBH": ("BBH", "bbh", "reasoning", "accuracy"),
    "MATH Lvl 5": ("MATH Lvl 5", "math", "math-reasoning", "accuracy"),
    "GPQA": ("GPQA", "gpqa", "multiple-choice-qa", "accuracy"),
    "MUSR": ("MuSR", "musr", "reasoning", "accuracy"),
    "MMLU-PRO": ("MMLU-PRO", "mmlu-pro", "multiple-choice-qa", "accuracy"),
}
_BENCH: dict[str, tuple[str, str, str, str]] = {
    **OPEN_LLM_V2,
    "leaderboard_ifeval": OPEN_LLM_V2["IFEval"], "leaderboard_bbh": OPEN_LLM_V2["BBH"],
    "leaderboard_math_hard": OPEN_LLM_V2["MATH Lvl 5"], "leaderboard_gpqa": OPEN_LLM_V2["GPQA"],
    "leaderboard_musr": OPEN_LLM_V2["MUSR"], "leaderboard_mmlu_pro": OPEN_LLM_V2["MMLU-PRO"],
    "MMLU": ("MMLU", "mmlu", "multiple-choice-qa", "accuracy"),
    "ARC-C": ("ARC-Challenge", "arc", "multiple-choice-qa", "accuracy"),
    "ARC": ("ARC-Challenge", "arc", "multiple-choice-qa", "accuracy"),
    "HellaSwag": ("HellaSwag", "hellaswag", "reasoning", "accuracy"),
    "Winograd": ("Winogrande", "winogrande", "reasoning", "accuracy"),   # ObsScaling's label
    "Winogrande": ("Winogrande", "winogrande", "reasoning", "accuracy"),
    "TruthfulQA": ("TruthfulQA", "truthfulqa", "multiple-choice-qa", "accuracy"),
    "GSM8K": ("GSM8K", "gsm8k", "math-reasoning", "exact-match"),
    "XWinograd": ("XWinograd", "xwinograd", "reasoning", "accuracy"),
    "HumanEval": ("HumanEval", "humaneval", "code-generation", "pass@1"),
    # min-max scaled within the file / MT-Bench score divided by 10: own metric names
    "Arena-Elo": ("Chatbot Arena", "chatbot-arena", "chat", "elo-rescaled"),
    "MTBench": ("MT-Bench", "mt-bench", "chat", "score-rescaled"),
}
_SUB_BENCH = (  # sub-benchmark column patterns -> (dataset prefix, family, task)
    (re.compile(r"^hendrycksTest-(.+)$"), "mmlu-", "mmlu", "multiple-choice-qa"),
    (re.compile(r"^bbh_(.+)$"), "bbh-", "bbh", "reasoning"),
    (re.compile(r"^gpqa_(.+)$"), "gpqa-", "gpqa", "multiple-choice-qa"),
    (re.compile(r"^math_(.+_hard)$"), "math-", "math", "math-reasoning"),
    (re.compile(r"^musr_(.+)$"), "musr-", "musr", "reasoning"),
)


def slug(s: str) -> str:
    """Lowercase, non-alphanumerics (except '.') collapsed to '-'."""
    return re.sub(r"[^a-z0-9.]+", "-", str(s).lower()).strip("-")


def bench_info(raw: str) -> tuple[str, str, str, str]:
    """(dataset, family, task, metric) for a raw LLM benchmark column name."""
    if raw in _BENCH:
        return _BENCH[raw]
    for pattern, prefix, family, task in _SUB_BENCH:
        m = pattern.match(raw)
        if m:
            return prefix + slug(m.group(1)), family, task, "accuracy"
    return raw, slug(raw), "", "accuracy"


def bench_info_by_dataset(dataset: str) -> tuple[str, str]:
    """(family, task) of an emitted dataset name from the shared vocabulary ('' task if unknown)."""
    if dataset.upper().startswith("MATH"):
        return "math", "math-reasoning"
    for ds, family, task, _ in _BENCH.values():
        if ds == dataset:
            return family, task
    for _, prefix, family, task in _SUB_BENCH:
        if dataset.startswith(prefix):
            return family, task
    return slug(dataset), ""


# --------------------------------------------------------------------------------------------
# Record helpers
# --------------------------------------------------------------------------------------------
def read_csv(path: Path, report: DropReport | None, **kw) -> pd.DataFrame | None:
    """First (scoring) read of a CSV: a bad file is counted in ``report`` (or raises without one)."""
    return read_file(path, pd.read_csv, report, **kw)


def try_csv(path: Path, **kw) -> pd.DataFrame | None:
    """Second read of a file for metadata or counting; a missing/corrupt file was already
    counted by the scoring read, so it is silently None here."""
    try:
        return pd.read_csv(path, **kw)
    except Exception:  # noqa: BLE001 - counted once, by the first read
        return None


def count_cells(df: pd.DataFrame | None, cols: Iterable[str], reason: str, report: DropReport) -> int:
    """Count the non-empty cells of ``cols`` as read and dropped for ``reason`` (skipped data)."""
    if df is None:
        return 0
    cols = [c for c in cols if c in df.columns]
    n = int(df[cols].notna().sum().sum()) if cols else 0
    report.rows_read += n
    report.drop(reason, n)
    return n


def skip_file(path: Path, reason: str, report: DropReport, meta: Iterable[str] = ()) -> None:
    """A file we deliberately do not ingest: its score cells are read and counted as dropped."""
    df = read_csv(path, report)
    if df is not None:
        skip = set(meta) | {c for c in df.columns if str(c).startswith("Unnamed")}
        count_cells(df, [c for c in df.columns if c not in skip], reason, report)
        report.notes.append(f"{path.name}: skipped ({reason})")


def emit_records(frame: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    """Long frame with KEY columns + ``cell`` (+ optional ``higher_is_better``) -> records.

    Every row is one score cell read; empty model names and unparseable cells are counted.
    """
    report.rows_read += len(frame)
    if frame.empty:
        return pd.DataFrame(columns=KEY + ["score", "higher_is_better"])
    no_model = frame["model"].isna() | frame["model"].astype(str).str.strip().isin(["", "nan"])
    report.drop("nan", int(no_model.sum()))
    frame = frame[~no_model].copy()
    parsed = [parse_score(c) for c in frame["cell"]]   # few thousand cells: a list pass is fine
    frame["score"] = [v for v, _ in parsed]
    for why in ("nan", "non_numeric"):
        report.drop(why, sum(1 for _, w in parsed if w == why))
    frame = frame[[w is None for _, w in parsed]]
    if "higher_is_better" not in frame.columns:
        frame["higher_is_better"] = None
    return frame[KEY + ["score", "higher_is_better"]].reset_index(drop=True)


def dedupe(records: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    """Keep the first record of each (model, dataset, subset, task, metric); count the rest."""
    dup = records.duplicated(KEY, keep="first")
    report.drop("duplicate", int(dup.sum()))
    return records[~dup].reset_index(drop=True)


def records_frame(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=KEY + ["score", "higher_is_better"])
    return df


def datasets_frame(records: pd.DataFrame, info: Callable[[str], dict]) -> pd.DataFrame:
    """One row per dataset in ``records``; ``info(dataset)`` gives family/description/languages."""
    first = records.drop_duplicates("dataset")[["dataset", "task"]]
    rows = []
    for name, task in zip(first["dataset"], first["task"]):
        meta = {"family": slug(name), "description": "", "languages": "en", **info(name)}
        rows.append({"dataset": name, "task": task, "domain": task_domain(task), **meta})
    return pd.DataFrame(rows)


def positive_params(series: pd.Series) -> pd.Series:
    """Billions of parameters; 0, negative or missing -> NA (unknown, never 0)."""
    p = pd.to_numeric(series, errors="coerce")
    return p.where(p > 0).astype("Float64")


def organization_of(model: pd.Series) -> pd.Series:
    """HF organisation of an ``org/name`` id, else NA."""
    org = model.astype(str).str.extract(r"^([^/]+)/")[0]
    return org.astype("object").where(org.notna(), pd.NA)


def models_frame(records: pd.DataFrame, meta: pd.DataFrame | None = None,
                 modality: str = "text") -> pd.DataFrame:
    """One row per emitted model; ``meta`` (indexed by model) fills the metadata columns."""
    models = pd.DataFrame({"model": pd.unique(records["model"])})
    if meta is not None and not meta.empty:
        meta = meta.groupby(level=0, sort=False).first()   # first non-empty value per column
        models = models.join(meta, on="model")
    models["modality"] = modality
    if "organization" not in models.columns or models["organization"].isna().all():
        models["organization"] = organization_of(models["model"])
    return models


def common_column(subset: str):
    """Column parser for tables of shared-vocabulary benchmarks: (dataset, ``subset``, metric)."""
    def parse(col: str):
        dataset, _, _, metric = bench_info(col)
        return dataset, subset, metric
    return parse


def with_tasks(records: pd.DataFrame, info: Callable[[str], tuple[str, str]]) -> pd.DataFrame:
    """Set each record's task from ``info(dataset)`` = (family, task); unknown -> ""."""
    tasks = {d: info(d)[1] for d in records["dataset"].unique()}
    records["task"] = records["dataset"].map(tasks).fillna("")
    return records
