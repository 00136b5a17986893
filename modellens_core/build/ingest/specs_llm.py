"""Adapters for four LLM result sources: ObsScaling, Sloth, Epoch benchmark stitching, Swallow.

Plain tables are described by :class:`~.table_spec.TableSpec` lists and read with
:func:`~.table_spec.read_table`; the few layouts it cannot express (Epoch's one headline column
per file, Swallow's nested YAML and its history file) go through the small :func:`_emit` helper,
which parses cells with the same :func:`~.table_spec.parse_score` and counts drops the same way.

Scores are kept as published (0-1 fractions, 0-100 percents, METR minutes); every score is higher
is better (the central direction table decides; METR "time horizon" is set explicitly).
Groups never mix protocols: every record carries a protocol tag in ``subset`` ("obsscaling",
"sloth", "open-llm-v2", "epoch", "epoch-runs", the Swallow group such as "ja_pre").
Invariant for every adapter here: ``rows_read == len(records) + sum(drops) - unparseable files``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import yaml

from ...common.tasks import task_domain
from .base import DropReport, SourceFileError, SourceResult, make_result, read_file
from .table_spec import TableSpec, is_aggregate_column, parse_score, read_table

KEY = ["model", "dataset", "subset", "task", "metric"]   # one evaluation of one model

# --------------------------------------------------------------------------------------------
# Shared benchmark vocabulary: raw column -> (dataset, family, task, metric)
# --------------------------------------------------------------------------------------------
_OPEN_LLM_V2 = {  # same dataset names as the Open LLM v2 adapter; raw (0-1) values only
    "IFEval": ("IFEval", "ifeval", "instruction-following", "accuracy"),
    "BBH": ("BBH", "bbh", "reasoning", "accuracy"),
    "MATH Lvl 5": ("MATH Lvl 5", "math", "math-reasoning", "accuracy"),
    "GPQA": ("GPQA", "gpqa", "multiple-choice-qa", "accuracy"),
    "MUSR": ("MuSR", "musr", "reasoning", "accuracy"),
    "MMLU-PRO": ("MMLU-PRO", "mmlu-pro", "multiple-choice-qa", "accuracy"),
}
_BENCH: dict[str, tuple[str, str, str, str]] = {
    **_OPEN_LLM_V2,
    "leaderboard_ifeval": _OPEN_LLM_V2["IFEval"], "leaderboard_bbh": _OPEN_LLM_V2["BBH"],
    "leaderboard_math_hard": _OPEN_LLM_V2["MATH Lvl 5"], "leaderboard_gpqa": _OPEN_LLM_V2["GPQA"],
    "leaderboard_musr": _OPEN_LLM_V2["MUSR"], "leaderboard_mmlu_pro": _OPEN_LLM_V2["MMLU-PRO"],
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


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", str(s).lower()).strip("-")


def bench_info(raw: str) -> tuple[str, str, str, str]:
    """(dataset, family, task, metric) for a raw LLM benchmark column name."""
    if raw in _BENCH:
        return _BENCH[raw]
    for pattern, prefix, family, task in _SUB_BENCH:
        m = pattern.match(raw)
        if m:
            return prefix + _slug(m.group(1)), family, task, "accuracy"
    return raw, _slug(raw), "", "accuracy"


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------
def _require(source_dir: Path) -> Path:
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceFileError(f"missing source folder {source_dir}")
    return source_dir


def _csv(path: Path, report: DropReport | None, **kw) -> pd.DataFrame | None:
    return read_file(path, pd.read_csv, report, **kw)


def _try_csv(path: Path, **kw) -> pd.DataFrame | None:
    """Second read of a file for metadata or counting; a missing/corrupt file was already
    counted by the scoring read, so it is silently None here."""
    try:
        return pd.read_csv(path, **kw)
    except Exception:  # noqa: BLE001 - counted once, by the first read
        return None


def _count_cells(df: pd.DataFrame | None, cols: Iterable[str], reason: str, report: DropReport) -> int:
    """Count the non-empty cells of ``cols`` as read and dropped for ``reason`` (skipped data)."""
    if df is None:
        return 0
    cols = [c for c in cols if c in df.columns]
    n = int(df[cols].notna().sum().sum()) if cols else 0
    report.rows_read += n
    report.drop(reason, n)
    return n


def _skip_file(path: Path, reason: str, report: DropReport, meta: Iterable[str] = ()) -> None:
    """A file we deliberately do not ingest: its score cells are read and counted as dropped."""
    df = _csv(path, report)
    if df is not None:
        skip = set(meta) | {c for c in df.columns if str(c).startswith("Unnamed")}
        _count_cells(df, [c for c in df.columns if c not in skip], reason, report)
        report.notes.append(f"{path.name}: skipped ({reason})")


def _emit(frame: pd.DataFrame, report: DropReport) -> pd.DataFrame:
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


def _dedupe(records: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    """Keep the first record of each (model, dataset, subset, task, metric); count the rest."""
    dup = records.duplicated(KEY, keep="first")
    report.drop("duplicate", int(dup.sum()))
    return records[~dup].reset_index(drop=True)


def _records(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=KEY + ["score", "higher_is_better"])
    return df


def _datasets_frame(records: pd.DataFrame, info: Callable[[str], dict]) -> pd.DataFrame:
    """One row per dataset in ``records``; ``info(dataset)`` gives family/description/languages."""
    first = records.drop_duplicates("dataset")[["dataset", "task"]]
    rows = []
    for name, task in zip(first["dataset"], first["task"]):
        meta = {"family": _slug(name), "description": "", "languages": "en", **info(name)}
        rows.append({"dataset": name, "task": task, "domain": task_domain(task), **meta})
    return pd.DataFrame(rows)


def _params(series: pd.Series) -> pd.Series:
    """Billions of parameters; 0, negative or missing -> NA (unknown, never 0)."""
    p = pd.to_numeric(series, errors="coerce")
    return p.where(p > 0).astype("Float64")


def _org(model: pd.Series) -> pd.Series:
    """HF organisation of an ``org/name`` id, else NA."""
    org = model.astype(str).str.extract(r"^([^/]+)/")[0]
    return org.astype("object").where(org.notna(), pd.NA)


def _models_frame(records: pd.DataFrame, meta: pd.DataFrame | None = None,
                  modality: str = "text") -> pd.DataFrame:
    """One row per emitted model; ``meta`` (indexed by model) fills the metadata columns."""
    models = pd.DataFrame({"model": pd.unique(records["model"])})
    if meta is not None and not meta.empty:
        meta = meta.groupby(level=0, sort=False).first()   # first non-empty value per column
        models = models.join(meta, on="model")
    models["modality"] = modality
    if "organization" not in models.columns or models["organization"].isna().all():
        models["organization"] = _org(models["model"])
    return models


# --------------------------------------------------------------------------------------------
# ObsScaling
# --------------------------------------------------------------------------------------------
_OBS = "obsscaling"
_OBS_META = ("Model Family", "Model Size (B)", "Pretraining Data Size (T)", "FLOPs (1E21)")
_POST = re.compile(r"^(gsm8k|bbh)(?:_(.+?))?_(\d+)_(exact_match),(.+)$")
_BBH_PROMPT = re.compile(r"^(cot_fewshot|fewshot|cot_zeroshot|zeroshot)_(.+)$")
_EMERGENT = re.compile(r"^(.+)_(\d+)_(acc|exact_match|bleu)$")
_AGENT_ENVS = {  # AgentBench / AgentBoard environment codes
    "OS": "OS", "DB": "DB", "KG": "KG", "DCG": "Digital Card Game", "LTP": "Lateral Thinking Puzzles",
    "HH": "House Holding", "WS": "WebShop", "WB": "Web Browsing", "ALF": "AlfWorld",
    "SW": "ScienceWorld", "BA": "BabyAI", "JC": "Jericho", "PL": "PDDL", "WA": "WebArena",
    "TQ": "Tool Query", "TO": "Tool Operation",
}
_AGENT_METRIC = {"PR": "progress-rate", "SR": "success-rate"}


def _common_col(subset: str):
    def parse(col: str):
        dataset, _, _, metric = bench_info(col)
        return dataset, subset, metric
    return parse


def _post_training_col(col: str):
    """``bbh_cot_fewshot_snarks_3_exact_match,strict-match`` -> (bbh-snarks, obsscaling/cot-fewshot-3shot/strict-match, exact-match).

    ``,norm`` columns (baseline-normalised, can be negative) -> None: counted as excluded."""
    m = _POST.match(col)
    if not m or col.endswith(",norm"):
        return None
    bench, rest, shots, metric, extract = m.groups()
    if bench == "gsm8k":
        dataset, prompt = "GSM8K", rest or "standard"
    else:
        pm = _BBH_PROMPT.match(rest or "")
        prompt, sub = (pm.group(1), pm.group(2)) if pm else ("fewshot", rest or "")
        dataset = "BBH" if sub == "overall" else "bbh-" + _slug(sub)  # overall -> aggregate
    return dataset, f"{_OBS}/{_slug(prompt)}-{shots}shot/{extract}", metric


def _emergent_col(col: str):
    m = _EMERGENT.match(col)
    if not m:
        return None
    return _slug(m.group(1)), f"{_OBS}/{m.group(2)}-shot", m.group(3)


def _agent_col(col: str):
    """``ABench-Code_OS`` -> AgentBench OS; ``ABoard-Web_WA_PR`` -> AgentBoard WebArena, progress rate."""
    board, _, rest = col.partition("-")
    parts = rest.split("_")
    if board == "ABoard" and parts[-1] in _AGENT_METRIC:
        metric, code = _AGENT_METRIC[parts[-1]], parts[-2]
        return f"AgentBoard {_AGENT_ENVS.get(code, code)}", _OBS, metric
    code = parts[-1]
    return f"AgentBench {_AGENT_ENVS.get(code, code)}", _OBS, "score"


OBSSCALING_SPECS = (
    TableSpec("base_llm_benchmark_eval.csv", ("Model",), "accuracy", ignore_cols=_OBS_META,
              column_parser=_common_col(_OBS)),
    TableSpec("base_llm_leaderboard_v2_eval.csv", ("Model",), "accuracy", column_parser=_common_col(_OBS)),
    TableSpec("base_llm_emergent_capability_eval.csv", ("Model",), "accuracy", column_parser=_emergent_col),
    TableSpec("base_llm_post_training_eval.csv", ("Model",), "exact-match", column_parser=_post_training_col),
    # instruct scores are partly vendor-reported: own protocol tag so they don't join base-model groups
    TableSpec("instruct_llm_benchmark_eval.csv", ("Model",), "accuracy", ignore_cols=_OBS_META,
              column_parser=_common_col(f"{_OBS}-instruct")),
    TableSpec("instruct_llm_agent_eval.csv", ("Model",), "score", column_parser=_agent_col,
              aggregate_cols=("ABench-OA", "ABoard-Avg_PR", "ABoard-Avg_SR")),
)
_OBS_EXTRA = {  # datasets outside the shared vocabulary: family, task
    "parsinlu-qa": ("big-bench", "question-answering"), "word-unscrambling": ("big-bench", "reasoning"),
    "ipa-transliterate": ("big-bench", "translation"),
}


def _obs_info(dataset: str) -> tuple[str, str]:
    """(family, task) of an ObsScaling dataset."""
    if dataset.startswith("arithmetic"):
        return "arithmetic", "math-reasoning"
    if dataset.startswith("AgentBench") or dataset.startswith("AgentBoard"):
        return dataset.split()[0].lower(), "agent"
    return _OBS_EXTRA.get(dataset) or bench_info_by_dataset(dataset)


def _with_tasks(records: pd.DataFrame, info: Callable[[str], tuple[str, str]]) -> pd.DataFrame:
    tasks = {d: info(d)[1] for d in records["dataset"].unique()}
    records["task"] = records["dataset"].map(tasks).fillna("")
    return records


def load_obsscaling(source_dir: Path) -> SourceResult:
    """ObsScaling eval tables (HF ids, API ids for closed models); scores 0-1 except the
    BLEU column and the agent tables (0-100). ``,norm`` columns and the sub-10B copy are dropped."""
    source_dir = _require(source_dir)
    report = DropReport()
    rows: list[dict] = []
    for spec in OBSSCALING_SPECS:
        rows += read_table(source_dir, spec, report)
    post = _try_csv(source_dir / "base_llm_post_training_eval.csv")
    if post is not None:
        _count_cells(post, [c for c in post.columns if c.endswith(",norm")], "excluded", report)
    _skip_file(source_dir / "base_llm_benchmark_eval_sub_10b.csv", "duplicate", report,
               meta=("Model",) + _OBS_META)
    records = _dedupe(_with_tasks(_records(rows), _obs_info), report)

    meta_frames = [df for f in ("base_llm_benchmark_eval.csv", "instruct_llm_benchmark_eval.csv")
                   if (df := _try_csv(source_dir / f)) is not None]
    meta = pd.concat(meta_frames, ignore_index=True) if meta_frames else pd.DataFrame(columns=("Model",) + _OBS_META)
    meta = pd.DataFrame({
        "params_b": _params(meta["Model Size (B)"]).values,
        "family": meta["Model Family"].values,
        "description": _obs_description(meta).values,
    }, index=meta["Model"].values)
    models = _models_frame(records, meta)
    datasets = _datasets_frame(records, lambda d: {"family": _obs_info(d)[0],
                                                   "languages": "en,fa" if d == "parsinlu-qa" else "en"})
    return make_result("obsscaling", records, models, datasets, report)


def _obs_description(meta: pd.DataFrame) -> pd.Series:
    """Source facts as text (no column in the contract for them): pretraining tokens and FLOPs."""
    if meta.empty:
        return pd.Series([], dtype=object)
    tok = pd.to_numeric(meta["Pretraining Data Size (T)"], errors="coerce")
    flops = pd.to_numeric(meta["FLOPs (1E21)"], errors="coerce")
    t = ("Pretrained on " + tok.map("{:g}T tokens".format) + ".").where(tok.notna(), "")
    f = (" Training compute " + flops.map("{:g}e21 FLOPs".format) + ".").where(flops.notna(), "")
    return (t + f).str.strip()


# --------------------------------------------------------------------------------------------
# Sloth
# --------------------------------------------------------------------------------------------
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
    dataset, _, _, metric = _OPEN_LLM_V2[col[: -len(" Raw")]]
    return dataset, OPEN_LLM_V2_SUBSET, metric


SLOTH_SPECS = (  # data_v2 first: it is the newer file and fills some of v1's gaps
    TableSpec("data_v2.csv", ("Model",), "accuracy", ignore_cols=_SLOTH_META, column_parser=_common_col(_SLOTH)),
    TableSpec("data_v1.csv", ("Model",), "accuracy", ignore_cols=_SLOTH_META, column_parser=_common_col(_SLOTH)),
    TableSpec("open-llm-leaderboard_new.csv", ("Model",), "accuracy", ignore_cols=_OLL_META,
              column_parser=_oll_col),
)
_SLOTH_COPIES = ("base_llm_benchmark_eval.csv", "base_llm_emergent_capability_eval.csv",
                 "base_llm_post_training_eval.csv", "instruct_llm_benchmark_eval.csv",
                 "instruct_llm_agent_eval.csv", "Agent.csv")


def load_sloth(source_dir: Path) -> SourceResult:
    """Sloth data_v1/v2 (lowercase names without org, emitted as written) and its Aug-2024
    Open LLM v2 snapshot (HF ids, raw 0-1 scores, subset ``open-llm-v2``)."""
    source_dir = _require(source_dir)
    report = DropReport()
    rows: list[dict] = []
    for spec in SLOTH_SPECS:
        rows += read_table(source_dir, spec, report)
    records = _records(rows)
    oll_path = source_dir / "open-llm-leaderboard_new.csv"
    oll = _try_csv(oll_path)
    if oll is not None:
        _count_cells(oll, [c for c in _OPEN_LLM_V2 if c in oll.columns], "excluded", report)  # normalised
        # inverted flag (as in Open LLM v1): Flagged == False means the model IS flagged
        flagged = set(oll.loc[oll["Flagged"].astype(str).str.lower() == "false", "Model"])
        hit = records["model"].isin(flagged) & (records["subset"] == OPEN_LLM_V2_SUBSET)
        report.drop("flagged", int(hit.sum()))
        records = records[~hit]
    for name in _SLOTH_COPIES:   # ObsScaling copies: ingested from obsscaling/
        if (source_dir / name).exists():
            _skip_file(source_dir / name, "duplicate", report, meta=("Model",) + _OBS_META)
    if (source_dir / "lower_bounds.csv").exists():   # random-chance baselines, not a model
        _skip_file(source_dir / "lower_bounds.csv", "excluded", report)
    tokens = source_dir / "tokens.csv"
    if tokens.exists():   # token-count helper table: metadata only, its score columns repeat data_v*
        _skip_file(tokens, "excluded", report, meta=_SLOTH_META + ("Upload To Hub Date",))
    records = _dedupe(_with_tasks(records, lambda d: bench_info_by_dataset(d)[:2]), report)
    models = _models_frame(records, _sloth_meta(source_dir, oll))
    datasets = _datasets_frame(records, lambda d: {"family": bench_info_by_dataset(d)[0]})
    return make_result("sloth", records, models, datasets, report)


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
    return _slug(dataset), ""


def _sloth_meta(source_dir: Path, oll: pd.DataFrame | None) -> pd.DataFrame:
    frames = []
    for name in ("data_v2.csv", "data_v1.csv"):
        df = _try_csv(source_dir / name)
        if df is not None:
            frames.append(pd.DataFrame({
                "params_b": _params(df["#Params (B)"]).values, "family": df["Family"].values,
                "release_date": df["date"].values,
                "pipeline_tag": "text-generation"}, index=df["Model"].values))
    tt = source_dir / "training_tokens.csv"
    df = _try_csv(tt)
    if df is not None:
        frames.append(pd.DataFrame({"params_b": _params(df["Parameters (b)"]).values,
                                    "family": df["Family"].values}, index=df["Model"].values))
    if oll is not None:
        frames.append(pd.DataFrame({
            "params_b": _params(oll["#Params (B)"]).values, "license": oll["Hub License"].values,
            "popularity": pd.to_numeric(oll["Hub ❤️"], errors="coerce").values,
            "release_date": oll["Upload To Hub Date"].values,
            "organization": _org(oll["Model"]).values}, index=oll["Model"].values))
    return pd.concat(frames) if frames else pd.DataFrame()


# --------------------------------------------------------------------------------------------
# Epoch benchmark stitching
# --------------------------------------------------------------------------------------------
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
    df = _csv(source_dir / f"external_benchmark_{stem}.csv", report, encoding="utf-8-sig")
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
    source_dir = _require(source_dir)
    report = DropReport()
    runs = _records(read_table(source_dir, EPOCH_RUNS_SPEC, report))
    if not runs.empty:
        info = runs["dataset"].map(EPOCH_RUNS)
        known = info.notna()
        runs = runs[known].copy()
        runs["dataset"] = info[known].str[0]
        runs["task"] = info[known].str[1]
    external = pd.concat([_epoch_headline(source_dir, s, report) for s in EPOCH_HEADLINES
                          if (source_dir / f"external_benchmark_{s}.csv").exists()], ignore_index=True)
    records = pd.concat([runs, _emit(external, report)], ignore_index=True)
    versions = _csv(source_dir / "model_versions.csv", report, encoding="utf-8-sig") \
        if (source_dir / "model_versions.csv").exists() else None
    ids = _epoch_model_ids(versions)
    records["model"] = records["model"].astype(str).str.strip().map(lambda m: ids.get(m, m))
    records = _dedupe(records, report)
    meta = None
    if versions is not None:
        meta = pd.DataFrame({
            "family": versions["Model"].values,
            "release_date": pd.to_datetime(versions["Version release date"], errors="coerce")
                              .dt.strftime("%Y-%m-%d").values,
            "organization": versions["Hugging Face developer id"].values,
        }, index=versions["id"].astype(str).map(lambda m: ids.get(m, m)).values)
    models = _models_frame(records, meta)
    families = {v[0]: v[4] for v in EPOCH_HEADLINES.values()} | {v[0]: v[2] for v in EPOCH_RUNS.values()}
    datasets = _datasets_frame(records, lambda d: {"family": families.get(d, _slug(d))})
    return make_result("epoch_benchmark_stitching", records, models, datasets, report)


# --------------------------------------------------------------------------------------------
# Swallow
# --------------------------------------------------------------------------------------------
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
                metric = next((m for w, m in _METRIC_WORDS if w in metric_text), _slug(metric_text))
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
    return _emit(frame, report)


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
    h = _csv(path, report)
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
    source_dir = _require(source_dir)
    report = DropReport()
    tasks = _swallow_tasks(source_dir, report)
    rows, meta = _swallow_current(source_dir, report)
    hist = _swallow_history(source_dir, set(rows["model"]), report)
    records = _dedupe(_swallow_frame(pd.concat([rows, hist], ignore_index=True), tasks, report), report)

    meta = meta.set_index("model") if not meta.empty else meta
    if not meta.empty:
        meta["params_b"] = _params(meta["params_b"])
        meta["base_model"] = meta["base_model"].where(~meta["base_model"].isin(["－", "-", "(private)"]))
        meta = meta.drop(columns=["url"])
    old_meta = _swallow_old_meta(source_dir, report)
    if not old_meta.empty:
        meta = pd.concat([meta, old_meta])
    models = _models_frame(records, meta)
    desc = {_swallow_dataset(g, k): v["description"] for (g, k), v in tasks.items()
            if v.get("description") and not v.get("collective")}
    lang = dict(zip(records["dataset"], [_swallow_lang(s, d) for s, d in zip(records["subset"], records["dataset"])]))
    datasets = _datasets_frame(records, lambda d: {
        "family": "mt-bench" if "MT-Bench" in d else _SWALLOW_FAMILY.get(d, _slug(d)),
        "description": desc.get(d, ""), "languages": lang.get(d, "en")})
    return make_result("swallow", records, models, datasets, report)


def _swallow_old_meta(source_dir: Path, report: DropReport) -> pd.DataFrame:
    """Metadata of history-only models from swallow_models_meta_union.csv (base '(private)' -> NA)."""
    path = source_dir / "swallow_models_meta_union.csv"
    df = _csv(path, report) if (SWALLOW_INCLUDE_HISTORY and path.exists()) else None
    if df is None:
        return pd.DataFrame()
    df = df.astype(object)   # all-empty columns read as float: fill across them as objects
    ident = df["model_id"].fillna(df["id"]).fillna(df["model_key"])
    base = df["pre_training"].fillna(df["base_model"]).fillna(df["base"])
    return pd.DataFrame({
        "params_b": _params(df["params"]).values, "family": df["family"].values,
        "base_model": base.where(~base.isin(["－", "-", "(private)"])).values,
        "release_date": df["date"].values, "pipeline_tag": "text-generation",
        "open_weights": df["url"].fillna("").astype(str).str.contains("huggingface.co").values,
    }, index=ident.values)
