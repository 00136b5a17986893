"""Adapter for Epoch AI's benchmark stitching data (``epoch_benchmark_stitching``): Epoch's own
Inspect runs (0-1, subset ``epoch-runs``) and 37 external benchmark files (subset ``epoch``).

Each external file contributes only its headline column (as chosen by the upstream data_loader,
:data:`EPOCH_HEADLINES`), read through :func:`~.llm_helpers.emit_records`. Traps: the CSVs are
read as ``utf-8-sig`` (a leading BOM would otherwise stick to the first column name); BoolQ and
MCBench are dropped upstream (BoolQ duplicates SuperGLUE) and here "excluded"; METR "time
horizon" is in minutes, higher is better (set explicitly); version ids map to HF repo ids only
where ``model_versions.csv`` gives a huggingface.co link or developer org, other ids (API models,
effort suffixes) stay as written; repeated (model, benchmark) pairs with another Source/Shots keep
the first row of the file (upstream order).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, require_dir
from .llm_helpers import KEY, datasets_frame, dedupe, emit_records, models_frame, read_csv, records_frame, slug
from .table_spec import TableSpec, read_table

_EPOCH = "epoch"
# file stem -> (dataset, headline column, metric, task, family); headline per upstream data_loader
EPOCH_HEADLINES: dict[str, tuple[str, str, str, str, str]] = {
    "aider_polyglot": ("Aider Polyglot", "Percent correct", "percent-correct", "code-editing", "aider-polyglot"),
    "anli": ("ANLI", "Score", "accuracy", "natural-language-inference", "anli"),
    "arc_agi": ("ARC-AGI", "Score", "score", "reasoning", "arc-agi"),
    "arc_ai2": ("ARC-Challenge", "Challenge score", "accuracy", "multiple-choice-qa", "arc"),
    "balrog": ("BALROG", "Average progress", "progress", "agent", "balrog"),
    "bbh": ("BBH", "Average", "accuracy", "reasoning", "bbh"),
    "boolq": ("BoolQ", "Score", "accuracy", "question-answering", "boolq"),
    "cadeval": ("CadEval", "Overall pass (%)", "pass-rate", "code-generation", "cadeval"),
    "csqa2": ("CSQA2", "Score", "accuracy", "question-answering", "csqa2"),
    "cybench": ("Cybench", "Unguided % Solved", "solved", "agent", "cybench"),
    "deepresearch": ("DeepResearch Bench", "Average score", "score", "agent", "deepresearch-bench"),
    "factorio_learning_environment": ("Factorio Learning Environment", "Lab Success %", "success-rate",
                                      "agent", "factorio-learning-environment"),
    "fictionlivebench": ("Fiction.LiveBench", "16k token score", "score", "long-context", "fiction.livebench"),
    "geobench": ("GeoBench", "ACW Country %", "accuracy", "visual-question-answering", "geobench"),
    "gsm8k": ("GSM8K", "EM", "exact-match", "math-reasoning", "gsm8k"),
    "gso_bench": ("GSO-Bench", "Score OPT@1", "score", "code-generation", "gso-bench"),
    "hellaswag": ("HellaSwag", "Overall accuracy", "accuracy", "reasoning", "hellaswag"),
    "lambada": ("LAMBADA", "Score", "accuracy", "language-modeling", "lambada"),
    "lech_mazur_writing": ("Lech Mazur Writing", "Mean score", "score", "text-generation", "lech-mazur-writing"),
    "livebench": ("LiveBench", "Global average", "score", "reasoning", "livebench"),
    "mcbench": ("MCBench", "Win rate", "win-rate", "chat", "mcbench"),
    "metr": ("METR Time Horizon", "Time horizon", "time-horizon", "agent", "metr"),   # minutes
    "mmlu": ("MMLU", "EM", "accuracy", "multiple-choice-qa", "mmlu"),
    "openbookqa": ("OpenBookQA", "Accuracy", "accuracy", "multiple-choice-qa", "openbookqa"),
    "os_world": ("OSWorld", "Score", "score", "agent", "osworld"),
    "osuniverse": ("OSUniverse", "Weighted Score", "score", "agent", "osuniverse"),
    "piqa": ("PIQA", "Score", "accuracy", "reasoning", "piqa"),
    "scienceqa": ("ScienceQA", "Score", "accuracy", "multiple-choice-qa", "scienceqa"),
    "simple_bench": ("SimpleBench", "Score (AVG@5)", "score", "reasoning", "simplebench"),
    "superglue": ("SuperGLUE", "Score", "score", "natural-language-inference", "superglue"),
    "terminal_bench": ("Terminal-Bench", "Accuracy mean", "accuracy", "agent", "terminal-bench"),
    "the_agent_company": ("TheAgentCompany", "% Resolved", "resolve-rate", "agent", "theagentcompany"),
    "triviaqa": ("TriviaQA", "EM", "exact-match", "question-answering", "triviaqa"),
    "videomme": ("Video-MME", "Overall (no subtitles)", "accuracy", "visual-question-answering", "video-mme"),
    "vpct": ("VPCT", "Correct", "accuracy", "visual-question-answering", "vpct"),
    "weirdml": ("WeirdML", "Accuracy", "accuracy", "code-generation", "weirdml"),
    "winogrande": ("Winogrande", "Accuracy", "accuracy", "reasoning", "winogrande"),
}
EPOCH_EXCLUDED = {"boolq", "mcbench"}   # upstream drops them (BoolQ duplicates SuperGLUE)
EPOCH_EXPLICIT_DIRECTION = {"metr": True}   # time horizon: longer is better
# Epoch's own runs (task name -> dataset, task, family); scores 0-1
EPOCH_RUNS: dict[str, tuple[str, str, str]] = {
    "GPQA diamond": ("GPQA Diamond", "multiple-choice-qa", "gpqa"),
    "MATH level 5": ("MATH Level 5", "math-reasoning", "math"),
    "OTIS Mock AIME 2024-2025": ("OTIS Mock AIME 2024-2025", "math-reasoning", "aime"),
    "FrontierMath-2025-02-28-Private": ("FrontierMath-2025-02-28-Private", "math-reasoning", "frontiermath"),
    "FrontierMath-2025-02-28-Public": ("FrontierMath-2025-02-28-Public", "math-reasoning", "frontiermath"),
    "FrontierMath-Tier-4-2025-07-01-Private": ("FrontierMath-Tier-4-2025-07-01-Private", "math-reasoning",
                                               "frontiermath"),
    "FrontierMath-Tier-4-2025-07-01-Public": ("FrontierMath-Tier-4-2025-07-01-Public", "math-reasoning",
                                              "frontiermath"),
    "SWE-Bench verified": ("SWE-Bench Verified", "code-generation", "swe-bench"),
}
EPOCH_RUNS_SPEC = TableSpec("benchmarks_runs.csv", ("model",), "accuracy", layout="long", dataset_col="task",
                            score_col="Best score (across scorers)", subset="epoch-runs",
                            read_kw=(("encoding", "utf-8-sig"),))


def _epoch_headline(source_dir: Path, stem: str, report: DropReport) -> pd.DataFrame:
    """One external_benchmark file -> long frame (model, dataset, ..., cell) of its headline column."""
    dataset, headline, metric, task, _ = EPOCH_HEADLINES[stem]
    df = read_csv(source_dir / f"external_benchmark_{stem}.csv", report, encoding="utf-8-sig")
    if df is None:
        return pd.DataFrame(columns=KEY + ["cell"])
    if stem in EPOCH_EXCLUDED:
        report.rows_read += len(df)
        report.drop("excluded", len(df))
        return pd.DataFrame(columns=KEY + ["cell"])
    return pd.DataFrame({"model": df["Model version"], "dataset": dataset, "subset": _EPOCH, "task": task,
                         "metric": metric, "cell": df[headline],
                         "higher_is_better": EPOCH_EXPLICIT_DIRECTION.get(stem)})


def _epoch_model_ids(versions: pd.DataFrame | None) -> dict[str, str]:
    """Epoch version id -> HF repo id when the source gives one (huggingface.co link, else
    developer org + id); other ids (API models, effort suffixes) stay as written."""
    if versions is None:
        return {}
    link = versions["Link"].fillna("").astype(str).str.extract(
        r"huggingface\.co/([^/?#\s]+/[^/?#\s]+)")[0]
    org = versions["Hugging Face developer id"]
    ids = versions["id"].astype(str)
    by_org = (org.astype(str) + "/" + ids).where(org.notna() & ~ids.str.contains("/"))
    hf = link.fillna(by_org)
    return dict(zip(ids[hf.notna()], hf[hf.notna()]))


def load_epoch(source_dir: Path) -> SourceResult:
    """Epoch benchmark stitching: Inspect runs (0-1, subset ``epoch-runs``) and 37 external
    benchmark files (headline column only, subset ``epoch``). Repeated (model, benchmark) pairs
    with another Source/Shots keep the first row of the file (upstream order)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    runs = records_frame(read_table(source_dir, EPOCH_RUNS_SPEC, report))
    if not runs.empty:
        info = runs["dataset"].map(EPOCH_RUNS)
        known = info.notna()
        runs = runs[known].copy()
        runs["dataset"] = info[known].str[0]
        runs["task"] = info[known].str[1]
    external = pd.concat([_epoch_headline(source_dir, s, report) for s in EPOCH_HEADLINES
                          if (source_dir / f"external_benchmark_{s}.csv").exists()], ignore_index=True)
    records = pd.concat([runs, emit_records(external, report)], ignore_index=True)
    versions = read_csv(source_dir / "model_versions.csv", report, encoding="utf-8-sig") \
        if (source_dir / "model_versions.csv").exists() else None
    ids = _epoch_model_ids(versions)
    records["model"] = records["model"].astype(str).str.strip().map(lambda m: ids.get(m, m))
    records = dedupe(records, report)
    meta = None
    if versions is not None:
        meta = pd.DataFrame({
            "family": versions["Model"].values,
            "release_date": pd.to_datetime(versions["Version release date"], errors="coerce")
                              .dt.strftime("%Y-%m-%d").values,
            "organization": versions["Hugging Face developer id"].values,
        }, index=versions["id"].astype(str).map(lambda m: ids.get(m, m)).values)
    models = models_frame(records, meta)
    families = {v[0]: v[4] for v in EPOCH_HEADLINES.values()} | {v[0]: v[2] for v in EPOCH_RUNS.values()}
    datasets = datasets_frame(records, lambda d: {"family": families.get(d, slug(d))})
    return make_result("epoch_benchmark_stitching", records, models, datasets, report)
