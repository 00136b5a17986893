"""Adapter for the Swallow LLM leaderboard (``swallow``): Japanese and English benchmarks,
scores 0-1 higher is better, subset = the result group (ja_pre, en_post, ja_mtb, ...).

Reads ``model.yml`` (current results and model metadata, nested YAML), ``task_pre.yml`` /
``task_post.yml`` (task definitions: metric, category, description) and, optionally, the history
files of models no longer listed (``swallow_long_union_history.csv``, subset
``<suite>-history``; ``swallow_models_meta_union.csv``). Traps: task keys are reused across groups
for other benchmarks (en_post ``MIFEvalJa`` is IFBench) and were renamed over time (``XL-Sum`` /
``XLSum``); group averages and "collective" tasks are aggregates; history sentinels (-0.01/-0.001:
not evaluated) and placeholder/hidden tasks are "excluded", history rows of current models and
superseded versions are "duplicate"; base model "(private)" / "－" is unknown.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .llm_helpers import (bench_info_by_dataset, datasets_frame, dedupe, emit_records, models_frame,
                          positive_params, read_csv, slug)

SWALLOW_AGGREGATES = {"avg", "En Avg", "Ja Avg", "JMT Avg"}
SWALLOW_EXCLUDED_TASKS = {"構築中", "__MIFEvalJa"}   # placeholder key / hidden task (history only)
_SWALLOW_NAMES = {  # (group or "*", task key) -> dataset name
    ("en_post", "MIFEvalJa"): "IFBench",            # the key is reused; field ifbench_inst_level_strict_acc
    ("en_post", "GPQA"): "GPQA Diamond", ("ja_post", "GPQA"): "GPQA Japanese", ("other", "GPQA"): "GPQA Japanese",
    ("*", "MIFEvalJa"): "M-IFEval-Ja", ("*", "JComQA"): "JCommonsenseQA", ("*", "XLSum"): "XL-Sum",
    ("*", "XL-Sum"): "XL-Sum", ("*", "XWINO"): "XWinograd", ("*", "SQuAD2"): "SQuAD v2",
    ("*", "WMT20enja"): "WMT20 en-ja", ("*", "WMT20-en-ja"): "WMT20 en-ja",
    ("*", "WMT20jaen"): "WMT20 ja-en", ("*", "WMT20-ja-en"): "WMT20 ja-en",
    ("*", "LCB"): "LiveCodeBench", ("*", "MATH500"): "MATH-500", ("*", "AIME"): "AIME 2024-2025",
    ("*", "PolyMathJaHT"): "PolyMath", ("*", "MMLU-Pro"): "MMLU-PRO", ("*", "MMLU-ProX"): "MMLU-ProX",
}
_SWALLOW_FAMILY = {"IFBench": "ifbench", "GPQA Diamond": "gpqa", "GPQA Japanese": "gpqa", "MATH-500": "math", "MATH": "math", "MMLU-ProX": "mmlu-pro",
                   "AIME 2024-2025": "aime", "XWinograd": "xwinograd", "WMT20 en-ja": "wmt20",
                   "WMT20 ja-en": "wmt20", "JMMLU": "mmlu"}
_CATEGORY_TASK = (  # English category keyword -> canonical task (first match wins)
    ("translation", "translation"), ("summar", "summarization"), ("math", "math-reasoning"),
    ("cod", "code-generation"), ("instruction", "instruction-following"),
    ("reading", "reading-comprehension"), ("multi-hop", "question-answering"),
    ("classical q&a", "question-answering"), ("q&a based on knowledge", "question-answering"),
    ("question answering", "question-answering"), ("commonsense", "reasoning"),
    ("inference", "reasoning"), ("hard-to-solve", "reasoning"), ("q&a", "multiple-choice-qa"),
    ("exam", "multiple-choice-qa"), ("understanding", "multiple-choice-qa"), ("science", "multiple-choice-qa"),
)
_METRIC_WORDS = (("exact match", "exact-match"), ("pass@1", "pass@1"), ("grading", "judge-score"),
                 ("character f1", "character-f1"), ("rouge-2", "rouge-2"), ("bleu", "bleu"),
                 ("accuracy", "accuracy"))


def _en(value) -> str:
    return str(value.get("en", "")) if isinstance(value, dict) else ("" if value is None else str(value))


def _swallow_dataset(group: str, task: str) -> str:
    group = group.removesuffix("-history")
    name = _SWALLOW_NAMES.get((group, task)) or _SWALLOW_NAMES.get(("*", task), task)
    if group.endswith("_mtb"):
        return ("Japanese MT-Bench " if group.startswith("ja") else "MT-Bench ") + task
    return name


def _swallow_tasks(source_dir: Path, report: DropReport) -> dict[tuple[str, str], dict]:
    """(group, task key) -> {metric, task, description, collective} from task_pre/post.yml."""
    out: dict[tuple[str, str], dict] = {}
    for name in ("task_pre.yml", "task_post.yml"):
        path = source_dir / name
        doc = read_file(path, lambda p: yaml.safe_load(p.read_text(encoding="utf-8")), report) \
            if path.exists() else None
        for group, body in (doc or {}).items():
            for t in body.get("tasks", []):
                metric_text, category = _en(t.get("metric")).lower(), _en(t.get("category")).lower()
                metric = next((m for w, m in _METRIC_WORDS if w in metric_text), slug(metric_text))
                task = "chat" if group.endswith("_mtb") else \
                    next((k for w, k in _CATEGORY_TASK if w in category), "text-generation")
                out[(group, t["name"])] = {
                    "metric": metric, "task": task, "description": _en(t.get("description")),
                    "collective": bool(t.get("collective")), "field": t.get("field", "")}
    return out


def _swallow_lang(group: str, dataset: str) -> str:
    return "en,ja" if dataset.startswith("WMT20") else ("ja" if group.startswith("ja") else "en")


_SWALLOW_OLD_KEYS = {"XL-Sum": "XLSum", "WMT20-en-ja": "WMT20enja", "WMT20-ja-en": "WMT20jaen"}


def _swallow_task_info(tasks: dict, group: str, key: str) -> dict:
    """Task definition for a (group, key); history suites fall back to the current group, the
    renamed key, or any group defining the key (e.g. JEMHopQA once in ja_post)."""
    base = group.removesuffix("-history").replace("_basic", "_pre")
    key = _SWALLOW_OLD_KEYS.get(key, key)
    for g in (group, base, "ja_post" if base == "other" else base):   # 'other' suite = ja_post GPQA
        if (g, key) in tasks:
            return tasks[(g, key)]
    return next((v for (g, k), v in tasks.items() if k == key), {})


def _swallow_frame(rows: pd.DataFrame, tasks: dict, report: DropReport) -> pd.DataFrame:
    """Long (model, group, task_key, cell) rows -> records; aggregates/placeholders counted."""
    info = [_swallow_task_info(tasks, g, k) for g, k in zip(rows["group"], rows["key"])]
    collective = [i.get("collective", False) for i in info]
    agg = rows["key"].isin(SWALLOW_AGGREGATES).to_numpy() | np.array(collective, dtype=bool)
    report.rows_read += int(agg.sum())
    report.drop("aggregate_column", int(agg.sum()))
    rows = rows[~agg]
    info = [i for i, a in zip(info, agg) if not a]
    frame = pd.DataFrame({
        "model": rows["model"].values, "subset": rows["group"].values,
        "dataset": [_swallow_dataset(g, k) for g, k in zip(rows["group"], rows["key"])],
        "task": [i.get("task", "") for i in info], "metric": [i.get("metric", "accuracy") for i in info],
        "cell": rows["cell"].values})
    no_task = frame["task"] == ""    # task retired from the YAMLs (history only): shared vocabulary
    frame.loc[no_task, "task"] = [bench_info_by_dataset(d)[1] or "text-generation"
                                  for d in frame.loc[no_task, "dataset"]]
    return emit_records(frame, report)


def _swallow_current(source_dir: Path, report: DropReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """model.yml -> (long rows, model metadata)."""
    path = source_dir / "model.yml"
    doc = read_file(path, lambda p: yaml.safe_load(p.read_text(encoding="utf-8")), report) or []
    rows = [(m["model_id"], g, k, v) for m in doc for g, res in (m.get("results") or {}).items()
            for k, v in res.items()]
    meta = pd.DataFrame([{
        "model": m["model_id"], "params_b": m.get("params"), "family": m.get("family"),
        "base_model": m.get("pre_training") or m.get("base"), "release_date": str(m.get("date") or "") or pd.NA,
        "open_weights": "huggingface.co" in str(m.get("url", "")), "pipeline_tag": "text-generation",
        "description": "", "url": m.get("url")} for m in doc])
    return pd.DataFrame(rows, columns=["model", "group", "key", "cell"]), meta


SWALLOW_INCLUDE_HISTORY = True   # older leaderboard versions, models no longer listed in model.yml


def _swallow_history(source_dir: Path, current: set[str], report: DropReport) -> pd.DataFrame:
    """History rows of models absent from model.yml, latest value per (model, suite, task).

    Sentinels (-0.01/-0.001: not evaluated) and placeholder/hidden tasks are excluded; rows of
    current models and superseded versions are duplicates. Subset ``<suite>-history`` keeps the
    older protocols apart from the current groups."""
    path = source_dir / "swallow_long_union_history.csv"
    if not (SWALLOW_INCLUDE_HISTORY and path.exists()):
        return pd.DataFrame(columns=["model", "group", "key", "cell"])
    h = read_csv(path, report)
    if h is None:
        return pd.DataFrame(columns=["model", "group", "key", "cell"])
    score = pd.to_numeric(h["score"], errors="coerce")
    bad = (score < 0) | h["task"].isin(SWALLOW_EXCLUDED_TASKS)
    dup = h["model_id"].isin(current)
    report.rows_read += int((bad | dup).sum())
    report.drop("excluded", int(bad.sum()))
    report.drop("duplicate", int((dup & ~bad).sum()))
    h = h[~(bad | dup)].sort_values("last_seen", kind="stable")
    older = h.duplicated(["model_id", "suite", "task"], keep="last")
    report.rows_read += int(older.sum())
    report.drop("duplicate", int(older.sum()))
    h = h[~older]
    return pd.DataFrame({"model": h["model_id"].values, "group": (h["suite"] + "-history").values,
                         "key": h["task"].values, "cell": h["score"].values})


def load_swallow(source_dir: Path) -> SourceResult:
    """Swallow LLM leaderboard (Japanese + English), scores 0-1 higher is better; subset = the
    result group (ja_pre, en_post, ja_mtb, ...), ``-history`` suffix for the history file."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    tasks = _swallow_tasks(source_dir, report)
    rows, meta = _swallow_current(source_dir, report)
    hist = _swallow_history(source_dir, set(rows["model"]), report)
    records = dedupe(_swallow_frame(pd.concat([rows, hist], ignore_index=True), tasks, report), report)

    meta = meta.set_index("model") if not meta.empty else meta
    if not meta.empty:
        meta["params_b"] = positive_params(meta["params_b"])
        meta["base_model"] = meta["base_model"].where(~meta["base_model"].isin(["－", "-", "(private)"]))
        meta = meta.drop(columns=["url"])
    old_meta = _swallow_old_meta(source_dir, report)
    if not old_meta.empty:
        meta = pd.concat([meta, old_meta])
    models = models_frame(records, meta)
    desc = {_swallow_dataset(g, k): v["description"] for (g, k), v in tasks.items()
            if v.get("description") and not v.get("collective")}
    lang = dict(zip(records["dataset"], [_swallow_lang(s, d) for s, d in zip(records["subset"], records["dataset"])]))
    datasets = datasets_frame(records, lambda d: {
        "family": "mt-bench" if "MT-Bench" in d else _SWALLOW_FAMILY.get(d, slug(d)),
        "description": desc.get(d, ""), "languages": lang.get(d, "en")})
    return make_result("swallow", records, models, datasets, report)


def _swallow_old_meta(source_dir: Path, report: DropReport) -> pd.DataFrame:
    """Metadata of history-only models from swallow_models_meta_union.csv (base '(private)' -> NA)."""
    path = source_dir / "swallow_models_meta_union.csv"
    df = read_csv(path, report) if (SWALLOW_INCLUDE_HISTORY and path.exists()) else None
    if df is None:
        return pd.DataFrame()
    df = df.astype(object)   # all-empty columns read as float: fill across them as objects
    ident = df["model_id"].fillna(df["id"]).fillna(df["model_key"])
    base = df["pre_training"].fillna(df["base_model"]).fillna(df["base"])
    return pd.DataFrame({
        "params_b": positive_params(df["params"]).values, "family": df["family"].values,
        "base_model": base.where(~base.isin(["－", "-", "(private)"])).values,
        "release_date": df["date"].values, "pipeline_tag": "text-generation",
        "open_weights": df["url"].fillna("").astype(str).str.contains("huggingface.co").values,
    }, index=ident.values)
