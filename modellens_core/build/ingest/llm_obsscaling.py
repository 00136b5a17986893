"""Adapter for ObsScaling (``obsscaling``): the base and instruct LLM evaluation tables of the
observational scaling laws study, with HF ids (API ids for closed models).

Scores are 0-1 except the BLEU column and the agent tables (0-100); every record carries a
protocol tag in ``subset`` ("obsscaling", "obsscaling-instruct", or the prompt/shots/extraction
of the post-training and emergent-capability tables). Traps: instruct scores are partly
vendor-reported, so they get their own protocol tag and never join base-model groups; ``,norm``
columns (baseline-normalised, can be negative) are "excluded"; the sub-10B file is a copy of the
main table ("duplicate"); BBH's ``overall`` and the agent averages are aggregates; pretraining
tokens and FLOPs have no contract column and go into the model description.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, require_dir
from .llm_helpers import (bench_info_by_dataset, common_column, count_cells, datasets_frame, dedupe,
                          models_frame, positive_params, records_frame, skip_file, slug, try_csv, with_tasks)
from .table_spec import TableSpec, read_table

_OBS = "obsscaling"
OBS_META = ("Model Family", "Model Size (B)", "Pretraining Data Size (T)", "FLOPs (1E21)")
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
        dataset = "BBH" if sub == "overall" else "bbh-" + slug(sub)  # overall -> aggregate
    return dataset, f"{_OBS}/{slug(prompt)}-{shots}shot/{extract}", metric


def _emergent_col(col: str):
    m = _EMERGENT.match(col)
    if not m:
        return None
    return slug(m.group(1)), f"{_OBS}/{m.group(2)}-shot", m.group(3)


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
    TableSpec("base_llm_benchmark_eval.csv", ("Model",), "accuracy", ignore_cols=OBS_META,
              column_parser=common_column(_OBS)),
    TableSpec("base_llm_leaderboard_v2_eval.csv", ("Model",), "accuracy", column_parser=common_column(_OBS)),
    TableSpec("base_llm_emergent_capability_eval.csv", ("Model",), "accuracy", column_parser=_emergent_col),
    TableSpec("base_llm_post_training_eval.csv", ("Model",), "exact-match", column_parser=_post_training_col),
    # instruct scores are partly vendor-reported: own protocol tag so they don't join base-model groups
    TableSpec("instruct_llm_benchmark_eval.csv", ("Model",), "accuracy", ignore_cols=OBS_META,
              column_parser=common_column(f"{_OBS}-instruct")),
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


def load_obsscaling(source_dir: Path) -> SourceResult:
    """ObsScaling eval tables (HF ids, API ids for closed models); scores 0-1 except the
    BLEU column and the agent tables (0-100). ``,norm`` columns and the sub-10B copy are dropped."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    rows: list[dict] = []
    for spec in OBSSCALING_SPECS:
        rows += read_table(source_dir, spec, report)
    post = try_csv(source_dir / "base_llm_post_training_eval.csv")
    if post is not None:
        count_cells(post, [c for c in post.columns if c.endswith(",norm")], "excluded", report)
    skip_file(source_dir / "base_llm_benchmark_eval_sub_10b.csv", "duplicate", report,
              meta=("Model",) + OBS_META)
    records = dedupe(with_tasks(records_frame(rows), _obs_info), report)

    meta_frames = [df for f in ("base_llm_benchmark_eval.csv", "instruct_llm_benchmark_eval.csv")
                   if (df := try_csv(source_dir / f)) is not None]
    meta = pd.concat(meta_frames, ignore_index=True) if meta_frames else pd.DataFrame(columns=("Model",) + OBS_META)
    meta = pd.DataFrame({
        "params_b": positive_params(meta["Model Size (B)"]).values,
        "family": meta["Model Family"].values,
        "description": _obs_description(meta).values,
    }, index=meta["Model"].values)
    models = models_frame(records, meta)
    datasets = datasets_frame(records, lambda d: {"family": _obs_info(d)[0],
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
