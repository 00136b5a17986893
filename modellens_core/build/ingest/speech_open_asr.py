"""Adapter for the Open ASR Leaderboard (``open_asr_leaderboard``): word error rate in % (lower
is better, set explicitly) of speech recognition models, ids kept as written.

Reads ``en_shortform.csv`` (LibriSpeech test-clean/test-other as subsets of one dataset),
``en_longform.csv`` (subset ``longform``: long-form audio is another protocol than the short
clips of the same corpora) and ``multilingual.csv`` (``<lang>_<dataset>`` columns: dataset
CoVoST 2 / MLS / FLEURS, subset = language). Traps: ``Avg*`` columns are aggregates, but
``coraal_avg`` is CORAAL's own score (mean over its sub-corpora); RTFx and size are metadata,
not scores; size -1/blank is unknown; License Open/Proprietary sets ``open_weights``; the same
organisation appears under two ids (assembly vs assemblyai) and is not merged here.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, read_file, require_dir
from .table_spec import TableSpec
from .vision_helpers import datasets_frame, finish_records, models_frame, read_specs, source_result

_ASR_SHORT = {"AMI WER": ("AMI", ""), "Earnings22 WER": ("Earnings-22", ""), "Gigaspeech WER": ("GigaSpeech", ""),
              "LS Clean WER": ("LibriSpeech", "test-clean"), "LS Other WER": ("LibriSpeech", "test-other"),
              "SPGISpeech WER": ("SPGISpeech", ""), "Tedlium WER": ("TED-LIUM", ""),
              "Voxpopuli WER": ("VoxPopuli", "")}
# long-form audio is another protocol than the short-form clips of the same corpora;
# coraal_avg is CORAAL's own score (mean over its sub-corpora), not a cross-benchmark average
_ASR_LONG = {"earnings21": "Earnings-21", "earnings22": "Earnings-22", "tedlium": "TED-LIUM",
             "coraal_avg": "CORAAL"}
_ASR_MULTI = {"covost": "CoVoST 2", "mls": "MLS", "fleurs": "FLEURS"}
_ASR_META = ("RTFx", "Model size (B)", "License")   # speed and metadata: not scores


def _asr_column(col: str):
    if col in _ASR_SHORT:
        return (*_ASR_SHORT[col], "wer")
    if col in _ASR_LONG:
        return (_ASR_LONG[col], "longform", "wer")
    lang, _, ds = col.partition("_")
    if ds in _ASR_MULTI:
        return (_ASR_MULTI[ds], lang, "wer")
    return (col, "", "wer")   # Avg* columns: counted as aggregates by read_table


_ASR = dict(metric="wer", task="automatic-speech-recognition", higher_is_better=False,
            ignore_cols=_ASR_META, column_parser=_asr_column)
OPEN_ASR_SPECS = [TableSpec(file="en_shortform.csv", model_cols=("model",), **_ASR),
                  TableSpec(file="en_longform.csv", model_cols=("model_id",), **_ASR),
                  TableSpec(file="multilingual.csv", model_cols=("model",), **_ASR)]
_ASR_FAMILIES = ("whisper", "parakeet", "canary", "wav2vec2", "hubert", "data2vec", "omniasr", "mms",
                 "moonshine", "voxtral", "qwen", "granite", "phi", "owsm", "chirp", "scribe", "conformer",
                 "zipformer", "glm", "ultravox", "vibevoice", "cohere", "universal", "speechmatics", "revai")


def asr_family(model_id: str) -> str:
    """ASR family: the keyword found earliest in the id (``distil-whisper/distil-large-v3`` ->
    ``whisper``, ``CohereLabs/cohere-transcribe`` -> ``cohere``), else the organisation."""
    s = model_id.lower()
    found = [(s.find(f), f) for f in _ASR_FAMILIES if f in s]
    return min(found)[1] if found else s.split("/")[0]


def load_open_asr(source_dir: Path) -> SourceResult:
    """Open ASR Leaderboard: WER in % (lower is better, set explicitly). Short-form English sets
    (LibriSpeech test-clean/test-other as subsets), long-form sets (subset ``longform``) and
    multilingual ``<lang>_<dataset>`` columns (dataset CoVoST 2 / MLS / FLEURS, subset = language).
    ``Avg*`` columns are aggregates; RTFx and size are metadata. Size -1/blank is unknown; License
    Open/Proprietary sets ``open_weights``. Ids are kept as written (assembly vs assemblyai)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    rec = finish_records(read_specs(source_dir, OPEN_ASR_SPECS, report), report)
    meta = []
    for spec in OPEN_ASR_SPECS:
        df = read_file(source_dir / spec.file, pd.read_csv, DropReport())   # already counted once
        if df is not None:
            meta.append(pd.DataFrame({
                "model": df[spec.model_cols[0]],
                "params_b": pd.to_numeric(df.get("Model size (B)", pd.Series(pd.NA, index=df.index)),
                                          errors="coerce"),
                "open_weights": df["License"].map({"Open": True, "Proprietary": False})
                if "License" in df else pd.NA}))
    meta = pd.concat(meta, ignore_index=True) if meta else \
        pd.DataFrame(columns=["model", "params_b", "open_weights"])
    meta["params_b"] = meta["params_b"].where(meta["params_b"] > 0)
    # first known value per model across the three files
    meta = meta.groupby("model", as_index=False).first()
    meta["family"] = meta["model"].map(asr_family)
    meta["organization"] = meta["model"].str.split("/").str[0]
    models = models_frame(rec, meta, modality="speech", pipeline_tag="automatic-speech-recognition")
    langs = lambda name, g: ",".join(sorted(g["subset"].unique())) if name in _ASR_MULTI.values() else "en"
    return source_result("open_asr_leaderboard", rec, models, datasets_frame(rec, languages=langs), report)
