"""Hugging Face Open LLM Leaderboard v1 and v2 (source ``open_llm_leaderboard``).

* ``v1.csv``: ARC, HellaSwag, MMLU, TruthfulQA, WinoGrande, GSM8K in %, higher is better,
  standard harness few-shot settings -> subset ``open-llm-v1``. ``flagged``/``merged``/``moe``
  are INVERTED in this file (``flagged=False`` means flagged): flagged rows are dropped.
* ``v2.csv``: IFEval, BBH, MATH Lvl 5, GPQA, MuSR, MMLU-Pro; only the RAW
  ``evaluations_<b>_value`` (0-1) is read, never the baseline-normalised score -> subset
  ``open-llm-v2``. ``features_is_not_available_on_hub`` is inverted (unused here).
* ``v2_union_history.csv`` (optional): only the new-schema rows whose (model, precision) is
  missing from ``v2.csv`` (renamed Meta-Llama-3.1-*, Falcon3 float16, ...) are added.

One evaluation per (model, board): bfloat16 > float16 > 8bit > 4bit > GPTQ, then the newest
submission; the others count as ``duplicate``. ``average`` / ``model_average_score`` are
aggregates. Model ids are HF repo ids; params 0/-1 are unknown (NA); ``release_date`` is the
first submission date seen (the leaderboard's first-seen date, not the Hub upload).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .base import DropReport, SourceFileError, make_result, read_file

SOURCE = "open_llm_leaderboard"
V1_SUBSET, V2_SUBSET = "open-llm-v1", "open-llm-v2"
# column -> (dataset, task, metric)
V1_BENCH = {
    "arc": ("ARC-Challenge", "multiple-choice-qa", "accuracy"),   # 25-shot acc_norm
    "hellaswag": ("HellaSwag", "multiple-choice-qa", "accuracy"),  # 10-shot acc_norm
    "mmlu": ("MMLU", "multiple-choice-qa", "accuracy"),            # 5-shot
    "truthfulqa": ("TruthfulQA", "multiple-choice-qa", "accuracy"),  # 0-shot mc2
    "winogrande": ("WinoGrande", "multiple-choice-qa", "accuracy"),  # 5-shot
    "gsm8k": ("GSM8K", "math-reasoning", "accuracy"),              # 5-shot exact match
}
V2_BENCH = {
    "ifeval": ("IFEval", "instruction-following", "accuracy"),
    "bbh": ("BBH", "reasoning", "accuracy"),
    "math": ("MATH Lvl 5", "math-reasoning", "exact-match"),
    "gpqa": ("GPQA", "multiple-choice-qa", "accuracy"),
    "musr": ("MuSR", "reasoning", "accuracy"),
    "mmlu_pro": ("MMLU-Pro", "multiple-choice-qa", "accuracy"),
}
DATASET_FAMILY = {"ARC-Challenge": "arc", "HellaSwag": "hellaswag", "MMLU": "mmlu", "TruthfulQA": "truthfulqa",
                  "WinoGrande": "winogrande", "GSM8K": "gsm8k", "IFEval": "ifeval", "BBH": "bbh",
                  "MATH Lvl 5": "math", "GPQA": "gpqa", "MuSR": "musr", "MMLU-Pro": "mmlu-pro"}
PRECISION_RANK = {"bfloat16": 0, "float16": 1, "8bit": 2, "4bit": 3, "GPTQ": 4}
_ARCH_SUFFIX = re.compile(r"(ForCausalLM|LMHeadModel|ForConditionalGeneration|Model|ForSequenceClassification)$")


_ARCH_FAMILY = {"gptneox": "gpt-neox", "gptneo": "gpt-neo", "gptj": "gpt-j", "gptbigcode": "starcoder",
                "gpt": "gpt2", "t": "t5", "mt": "t5", "recurrentgemma": "gemma", "mllama": "llama"}


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    """``pd.read_csv`` that fails (and so is counted as unparseable) when columns are missing."""
    df = pd.read_csv(path, low_memory=False)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"missing columns {missing[:5]}")
    return df


def _family_from_architecture(arch: pd.Series) -> pd.Series:
    """``LlamaForCausalLM`` -> ``llama``, ``Qwen2MoeForCausalLM`` -> ``qwen`` (versions dropped so
    they match name-derived families); ``?``/``Unknown`` -> NA."""
    fam = (arch.fillna("").astype(str).str.replace(_ARCH_SUFFIX, "", regex=True).str.lower()
           .str.replace(r"\d*(moe)?$", "", regex=True).replace(_ARCH_FAMILY))
    return fam.where(~fam.isin(["", "?", "unknown"]))


def _family(models: pd.Series, arch: pd.Series) -> pd.Series:
    """Family: a known family in the name (family_guess, when that module exists) > the
    architecture (``LlamaForCausalLM`` -> llama) > the name's first token."""
    fallback = _family_from_architecture(arch)
    try:
        from .family_guess import KNOWN_FAMILIES, guess_family  # written by another part of the project
    except ImportError:
        return fallback
    known = {fam for fam, _aliases in KNOWN_FAMILIES}
    guessed = pd.Series([guess_family(m) for m in models], index=models.index, dtype="object")
    by_name = guessed.where(guessed.isin(known))
    return by_name.fillna(fallback).fillna(guessed)


def _params_from_name(models: pd.Series) -> pd.Series:
    """Billions of parameters stated in the name ("-7B"), for rows whose count is unknown."""
    try:
        from .family_guess import params_from_name
    except ImportError:
        return pd.Series(np.nan, index=models.index)
    return pd.Series([params_from_name(m) for m in models], index=models.index, dtype="float64")


def _keep_one_per_model(df: pd.DataFrame, model: str, precision: str, when: str) -> pd.DataFrame:
    """One row per model: best precision, then newest submission."""
    rank = df[precision].map(PRECISION_RANK).fillna(len(PRECISION_RANK))
    order = df.assign(_rank=rank, _when=df[when].fillna("")).sort_values(
        [model, "_rank", "_when"], ascending=[True, True, False], kind="stable")
    return order.drop_duplicates(model, keep="first").drop(columns=["_rank", "_when"])


def _melt(df: pd.DataFrame, model: str, columns: dict[str, str], bench: dict, subset: str,
          report: DropReport) -> pd.DataFrame:
    """Wide score columns -> long records; empty cells counted as ``nan``."""
    long = df[[model, *columns]].rename(columns={model: "model", **columns}).melt(
        id_vars="model", var_name="key", value_name="score")
    long["score"] = pd.to_numeric(long["score"], errors="coerce")
    report.drop("nan", int(long["score"].isna().sum()))
    long = long.dropna(subset=["score"])
    meta = pd.DataFrame.from_dict(bench, orient="index", columns=["dataset", "task", "metric"])
    long = long.join(meta, on="key").drop(columns="key")
    long["subset"] = subset
    long["higher_is_better"] = None
    return long


def _read_v1(source_dir: Path, report: DropReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = read_file(source_dir / "v1.csv", _read_csv, report,
                   required=[*V1_BENCH, "average", "fullname", "precision", "flagged", "date"])
    if df is None:
        return pd.DataFrame(), pd.DataFrame()
    n_scores = len(V1_BENCH) + 1                   # + average
    report.rows_read += len(df) * n_scores
    report.drop("aggregate_column", int(df["average"].notna().sum()))
    flagged = ~df["flagged"].astype(bool)          # inverted boolean: False means flagged
    report.drop("flagged", int(flagged.sum()) * len(V1_BENCH))
    df = df[~flagged]
    kept = _keep_one_per_model(df, "fullname", "precision", "date")
    report.drop("duplicate", (len(df) - len(kept)) * len(V1_BENCH))
    recs = _melt(kept, "fullname", {c: c for c in V1_BENCH}, V1_BENCH, V1_SUBSET, report)
    kind = kept["type"].fillna("").astype(str).str.replace(r"^\W+\s*", "", regex=True)
    meta = pd.DataFrame({
        "model": kept["fullname"], "params_b": kept["params_b"].where(kept["params_b"] > 0),
        "arch": kept["architecture"], "base_model": None, "license": kept["hub_license"].replace("", None),
        "popularity": kept["hub_hearts"].astype(float), "release_date": kept["date"].astype(str).str[:10],
        "description": kind + np.where(~kept["merged"].astype(bool), "; merged model", "")
        + np.where(~kept["moe"].astype(bool), "; mixture of experts", ""),
        "modality": "text"})
    return recs, meta


def _read_v2_rows(source_dir: Path, report: DropReport) -> pd.DataFrame | None:
    """v2.csv plus the union-history evaluations it lacks (see module docstring)."""
    need = [*(f"evaluations_{b}_value" for b in V2_BENCH), "model_name", "model_precision",
            "model_average_score", "features_is_flagged", "metadata_submission_date"]
    v2 = read_file(source_dir / "v2.csv", _read_csv, report, required=need)
    hist_path = source_dir / "v2_union_history.csv"
    if v2 is None or not hist_path.is_file():
        return v2
    hist = read_file(hist_path, _read_csv, report, required=[*need, "last_seen"])
    if hist is None:
        return v2
    hist = hist[hist["model_name"].notna()]        # the 7 old-schema rows are v2.csv copies
    known = pd.MultiIndex.from_frame(v2[["model_name", "model_precision"]])
    missing = ~pd.MultiIndex.from_frame(hist[["model_name", "model_precision"]]).isin(known)
    extra = hist[missing].sort_values("last_seen").drop_duplicates(["model_name", "model_precision"], keep="last")
    report.notes.append(f"v2_union_history.csv: {len(extra)} evaluations missing from v2.csv added")
    return pd.concat([v2, extra.reindex(columns=v2.columns)], ignore_index=True)


def _read_v2(source_dir: Path, report: DropReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = _read_v2_rows(source_dir, report)
    if df is None:
        return pd.DataFrame(), pd.DataFrame()
    report.rows_read += len(df) * (len(V2_BENCH) + 1)
    report.drop("aggregate_column", int(df["model_average_score"].notna().sum()))
    flagged = df["features_is_flagged"].fillna(False).astype(bool)
    report.drop("flagged", int(flagged.sum()) * len(V2_BENCH))
    df = df[~flagged]
    kept = _keep_one_per_model(df, "model_name", "model_precision", "metadata_submission_date")
    report.drop("duplicate", (len(df) - len(kept)) * len(V2_BENCH))
    cols = {f"evaluations_{b}_value": b for b in V2_BENCH}
    recs = _melt(kept, "model_name", cols, V2_BENCH, V2_SUBSET, report)
    params = kept["metadata_params_billions"]
    base = kept["metadata_base_model"].where(kept["metadata_base_model"] != kept["model_name"])
    meta = pd.DataFrame({
        "model": kept["model_name"], "params_b": params.where(params > 0), "arch": kept["model_architecture"],
        "base_model": base, "license": kept["metadata_hub_license"],
        "popularity": kept["metadata_hub_hearts"].astype(float),
        "release_date": kept["metadata_submission_date"].fillna(kept["metadata_upload_date"]),
        "description": kept["model_type"].fillna("").astype(str)
        + np.where(kept["features_is_merged"].fillna(False).astype(bool), "; merged model", "")
        + np.where(kept["features_is_moe"].fillna(False).astype(bool), "; mixture of experts", ""),
        "modality": np.where(kept["model_type"] == "multimodal", "multimodal", "text")})
    return recs, meta


def _models_frame(meta: pd.DataFrame) -> pd.DataFrame:
    """One row per model across both boards: v2 metadata first (precise params, base model),
    earliest date, most hearts."""
    agg = meta.groupby("model", sort=True).agg(
        params_b=("params_b", "first"), arch=("arch", "first"), base_model=("base_model", "first"),
        license=("license", "first"), popularity=("popularity", "max"), release_date=("release_date", "min"),
        description=("description", "first"), modality=("modality", "first")).reset_index()
    agg["family"] = _family(agg["model"], agg["arch"])
    agg["params_b"] = agg["params_b"].fillna(_params_from_name(agg["model"]))
    agg["organization"] = agg["model"].str.split("/").str[0].where(agg["model"].str.contains("/"))
    agg["open_weights"] = True
    agg["pipeline_tag"] = "text-generation"
    return agg.drop(columns="arch")


def _datasets_frame() -> list[dict]:
    rows = []
    for dataset, task, _metric in (*V1_BENCH.values(), *V2_BENCH.values()):
        rows.append({"dataset": dataset, "family": DATASET_FAMILY[dataset], "description": "",
                     "task": task, "domain": "text", "languages": "en"})
    return rows


def load(source_dir: Path):
    """Read the Open LLM Leaderboard folder; see the module docstring for the rules."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceFileError(f"missing source folder {source_dir}")
    report = DropReport()
    r1, m1 = _read_v1(source_dir, report)
    r2, m2 = _read_v2(source_dir, report)
    records = pd.concat([r for r in (r1, r2) if len(r)], ignore_index=True) if len(r1) or len(r2) \
        else pd.DataFrame()
    meta = pd.concat([m for m in (m2, m1) if len(m)], ignore_index=True)  # v2 first: preferred metadata
    models = _models_frame(meta) if len(meta) else None
    return make_result(SOURCE, records, models, _datasets_frame(), report)
