"""Hugging Face Hub model listing (2023 snapshot) -> candidate models, no records.

Source file ``sources/hf_hub_models_2023/model_info.parquet``: one row per Hub model with
``modelId, author, creation_time, downloads, has_modelcard, task_category, task_domain``.

Models frame: ``model`` = modelId as written (legacy ids like ``bert-base-uncased`` are
canonicalised centrally), ``organization`` = author, ``release_date`` = creation date
("YYYY-MM-DD"), ``popularity`` = downloads (count, higher = more popular; 0 is kept as
published), ``pipeline_tag`` = task_category ("unknown" -> NA), ``modality`` from task_domain
(falling back to task_category), ``family`` and ``params_b`` (billions) guessed from the name by
:mod:`.family_guess` (NA when the name states none), ``open_weights`` = True (the weights are
hosted on the Hub), ``description`` empty (a template fills it later).

The report's ``rows_read`` counts listing rows (this source has no score cells); rows without
a modelId and repeated modelIds are dropped as "nan" / "duplicate".
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .base import DropReport, SourceFileError, SourceResult, make_result, read_file
from .family_guess import guess_family, params_from_name

SOURCE = "hf_hub_models"
FILE_NAME = "model_info.parquet"
DOMAIN_MODALITY = {"nlp": "text", "cv": "vision", "computer_vision": "vision", "audio": "speech",
                   "multimodal": "multimodal"}  # reinforcement learning / tabular: NA
# pipeline tag -> modality, for rows whose task_domain is "unknown"
CATEGORY_MODALITY = {
    "text-classification": "text", "text-generation": "text", "text2text-generation": "text",
    "token-classification": "text", "fill-mask": "text", "question-answering": "text",
    "feature-extraction": "text", "translation": "text", "conversational": "text",
    "sentence-similarity": "text", "summarization": "text", "multiple-choice": "text",
    "zero-shot-classification": "text", "table-question-answering": "text",
    "automatic-speech-recognition": "speech", "audio-classification": "speech",
    "text-to-speech": "speech", "audio-to-audio": "speech", "voice-activity-detection": "speech",
    "image-classification": "vision", "image-segmentation": "vision", "object-detection": "vision",
    "unconditional-image-generation": "vision", "image-to-image": "vision",
    "image-to-text": "multimodal", "text-to-image": "multimodal", "visual-question-answering": "multimodal",
    "zero-shot-image-classification": "multimodal", "document-question-answering": "multimodal",
}


def _clean(series: pd.Series) -> pd.Series:
    """Strings with "unknown"/empty turned into NA."""
    s = series.astype("string").str.strip()
    return s.mask(s.isin(["", "unknown", "none", "nan"]))


def _models(df: pd.DataFrame) -> pd.DataFrame:
    names = df["modelId"].astype(str)
    category = _clean(df["task_category"])
    domain = _clean(df["task_domain"]).str.lower().map(DOMAIN_MODALITY)
    modality = domain.fillna(category.map(CATEGORY_MODALITY))
    created = pd.to_datetime(df["creation_time"], errors="coerce", utc=True)
    # names repeat little, so a per-name loop over ~75k short strings costs well under a second
    params = [params_from_name(n) for n in names]
    return pd.DataFrame({
        "model": names.to_numpy(),
        "params_b": pd.array([np.nan if p is None else p for p in params], dtype="Float64"),
        "family": pd.array([guess_family(n) for n in names], dtype="string"),
        "base_model": pd.NA,
        "modality": modality.to_numpy(),
        "release_date": created.dt.strftime("%Y-%m-%d").to_numpy(),
        "open_weights": True,
        "license": pd.NA,
        "popularity": pd.to_numeric(df["downloads"], errors="coerce").to_numpy(),
        "description": "",
        "organization": _clean(df["author"]).to_numpy(),
        "pipeline_tag": category.to_numpy(),
    })


def load(source_dir: Path) -> SourceResult:
    """Read the Hub listing into a SourceResult with an empty records frame."""
    path = Path(source_dir) / FILE_NAME
    if not path.exists():
        raise SourceFileError(f"HF Hub model listing not found: {path}")
    report = DropReport()
    df = read_file(path, pd.read_parquet)
    report.rows_read = len(df)
    missing = df["modelId"].isna() | (df["modelId"].astype("string").str.strip() == "")
    report.drop("nan", int(missing.sum()))
    df = df[~missing.fillna(True)]
    dup = df["modelId"].duplicated()
    report.drop("duplicate", int(dup.sum()))
    df = df[~dup].reset_index(drop=True)
    report.notes.append(f"{FILE_NAME}: rows_read counts listing rows (no score cells in this source)")
    return make_result(SOURCE, [], _models(df), None, report)
