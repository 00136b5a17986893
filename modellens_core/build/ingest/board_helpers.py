"""Shared helpers of the leaderboard adapters (``board_*.py`` and ``benchbench_*.py``).

They turn a list of score records into the contract frames: :func:`dedupe_records` keeps the
first record of each (model, dataset, subset, task, metric), so callers order their records by
preference before calling it; :func:`models_frame` and :func:`datasets_frame` build one row per
name used in the records, with defaults guessed from the benchmark name (:func:`base_family`
drops a trailing "(variant)", :func:`guess_languages` assumes English unless the name says
otherwise, :func:`scenario_task` maps name keywords to a canonical task). These guesses suit
the English LLM boards they were written for; adapters override them through ``meta``.
"""
from __future__ import annotations

import re

import pandas as pd

from ...common.tasks import task_domain
from .base import DropReport

GROUP_KEYS = ["model", "dataset", "subset", "task", "metric"]


def dedupe_records(records: list[dict] | pd.DataFrame, report: DropReport) -> pd.DataFrame:
    """Keep the first record of each (model, dataset, subset, task, metric); count the rest
    as "duplicate". Callers order records so that the preferred one comes first."""
    df = pd.DataFrame(records)
    if df.empty:
        return pd.DataFrame(columns=GROUP_KEYS + ["score", "higher_is_better"])
    dup = df.duplicated(GROUP_KEYS, keep="first")
    report.drop("duplicate", int(dup.sum()))
    return df[~dup].reset_index(drop=True)


def models_frame(records: pd.DataFrame, meta: dict[str, dict] | None = None, **defaults) -> list[dict]:
    """One row per model used in ``records``: ``meta[model]`` fields over ``defaults``."""
    meta = meta or {}
    names = pd.unique(records["model"]) if len(records) else []
    return [{"model": m, **defaults, **meta.get(m, {})} for m in names]


def datasets_frame(records: pd.DataFrame, meta: dict[str, dict] | None = None) -> list[dict]:
    """One row per dataset used in ``records``: task from the first record, family defaulting
    to :func:`base_family`, then ``meta[dataset]`` fields."""
    meta = meta or {}
    if not len(records):
        return []
    first = records.drop_duplicates("dataset")
    rows = []
    for ds, task in zip(first["dataset"], first["task"]):
        row = {"dataset": ds, "family": base_family(ds), "description": "", "task": task,
               "domain": task_domain(task), "languages": guess_languages(ds)}
        row.update(meta.get(ds, {}))
        rows.append(row)
    return rows


_LANG_HINTS = ((r"chinese|-zh\b|\bzh\b|cmmlu|cmrc|dureader", "zh"), (r"hindi", "hi"), (r"spanish", "es"),
               (r"python|java|cpp|rust|typescript|javascript", "en"))


def guess_languages(dataset: str) -> str:
    """ISO code(s) of a benchmark's language from its name; English unless a hint says otherwise
    (these boards are English except the few named ones)."""
    low = str(dataset).lower()
    for pattern, lang in _LANG_HINTS:
        if re.search(pattern, low):
            return lang
    return "en"


def base_family(dataset: str) -> str:
    """Default family: the slug of the name without a trailing variant in parentheses
    ("NaturalQuestions (open-book)" and "(closed-book)" are one benchmark: "naturalquestions")."""
    return slug(re.sub(r"\s*\(.*\)\s*$", "", str(dataset))) or slug(dataset)


def slug(name: str) -> str:
    """Lowercase, non-alphanumerics (except '+') collapsed to '-'."""
    return re.sub(r"[^a-z0-9+]+", "-", str(name).lower()).strip("-")


# keyword in a dataset name -> task (first match wins), over the board's default task
_TASK_KEYWORDS = (
    (r"humaneval|mbpp|\bcod(e|ing)\b|livecodebench", "code-generation"),
    (r"\bmath|gsm8k|omni-math", "math-reasoning"), (r"\bwmt", "translation"),
    (r"cnn/dailymail|xsum", "summarization"), (r"imdb|civilcomments|raft", "text-classification"),
    (r"ifeval|\binstruct|\bif\b", "instruction-following"), (r"ms marco", "reranking"),
    (r"mmlu|arc-|hellaswag|openbookqa|truthfulqa|winogrande|piqa|socialiqa|commonsenseqa|gpqa|"
     r"agieval|medqa|legalbench", "multiple-choice-qa"),
    (r"narrativeqa|naturalquestions|quac|boolq|triviaqa|\bdrop\b", "question-answering"),
    (r"\bbbh\b|reasoning", "reasoning"), (r"wildbench|alpacaeval|mt-bench|lmarena", "chat"),
)


def scenario_task(dataset: str, default: str) -> str:
    """Canonical task of a benchmark by keywords in its name, else the board's ``default``."""
    low = dataset.lower()
    for pattern, task in _TASK_KEYWORDS:
        if re.search(pattern, low):
            return task
    return default
