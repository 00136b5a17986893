"""Tests for the BFCL adapter on a tiny native-format fixture (tests/fixtures/bfcl/): 8 rows of the
v4 table (2025-12-16) and 8 rows of the v3 table (2025-04-25), copied with their own headers.

Counts by hand. v4: 19 sub-scores x 8 rows = 152 records; 6 aggregate columns x 8 = 48 cells;
non-scores: cost + 3 latency columns x 8 = 32, format-sensitivity delta/std only for Gemini-3
(Prompt) and Qwen3-8B (Prompt) = 4, so 36 "excluded". v3: 14 sub-scores x 8 = 112 cells, of which
Grok-3-mini-beta (Prompt) has 12 N/A ("nan") and the Novita copy of Maverick (FC) repeats the
self-hosted row (14 "duplicate"): 86 records; aggregates 4 x 8 - 1 N/A = 31; non-scores: cost in
3 rows + latency 3 x 7 rows = 24.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from modellens_core.build.ingest import ADAPTERS, SKIPPED_FOLDERS, load_source
from modellens_core.build.ingest.base import SourceFileError
from modellens_core.build.ingest.board_bfcl import (
    BFCL_SUBSCORES,
    load_bfcl,
    split_label,
)

from .contract import check_frames
from .contract import rows as _rows

FIX = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="module")
def res():
    return load_bfcl(FIX / "bfcl")


def test_counts_by_reason(res):
    rep = res.report
    assert len(res.records) == 152 + 86
    assert dict(rep.dropped) == {"aggregate_column": 48 + 31, "excluded": 36 + 24, "nan": 12, "duplicate": 14}
    assert rep.rows_read == 403 == len(res.records) + sum(rep.dropped.values())
    assert rep.notes == []                       # every row has a call mode, every column is known


def test_frames_contract(res):
    check_frames(res)
    assert set(res.records.task) == {"tool-use"} and set(res.records.metric) == {"accuracy"}
    assert res.records.higher_is_better.eq(True).all()
    assert set(res.records.source) == {"bfcl"}


def test_versions_are_separate_datasets(res):
    v3 = {d for d in res.records.dataset if d.startswith("BFCL v3 ")}
    v4 = {d for d in res.records.dataset if d.startswith("BFCL v4 ")}
    assert len(v3) == 14 and len(v4) == 19 and len(res.datasets) == 33
    assert "BFCL v4 Web Search Base" in v4 and "BFCL v3 Web Search Base" not in v3
    xlam = _rows(res, model="Salesforce/Llama-xLAM-2-70b-fc-r", subset="FC", dataset="BFCL v3 Multi Turn Base")
    assert list(xlam.score) == [77.5]
    xlam = _rows(res, model="Salesforce/Llama-xLAM-2-70b-fc-r", subset="FC", dataset="BFCL v4 Multi Turn Base")
    assert list(xlam.score) == [82.5]
    assert set(res.datasets.family) == {"bfcl"}


def test_aggregates_and_non_scores_absent(res):
    names = " ".join(res.records.dataset.unique())
    for word in ("Overall", " Acc", "Cost", "Latency", "Format Sensitivity"):
        assert word not in names
    assert set(res.records.dataset.str.replace(r"^BFCL v\d ", "", regex=True)) <= set(BFCL_SUBSCORES)


def test_call_mode_is_the_subset(res):
    assert set(res.records.subset) == {"FC", "prompt"}
    qwen = _rows(res, model="Qwen/Qwen3-8B", dataset="BFCL v4 Irrelevance Detection")
    assert dict(zip(qwen.subset, qwen.score)) == {"FC": 79.07, "prompt": 82.27}
    # thinking = the reasoning setting of a call mode; unmarked rows take BFCL's listed mode
    assert set(_rows(res, model="zai-org/GLM-4.6").subset) == {"FC"}
    assert set(_rows(res, model="BitAgent/BitAgent-Bounty-8B").subset) == {"FC"}
    assert set(_rows(res, model="ZJared/Haha-7B").subset) == {"prompt"}


def test_provider_copy_is_a_duplicate_unless_alone(res):
    mav = _rows(res, model="meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8", dataset="BFCL v3 Non-Live Parallel AST")
    assert list(mav.score) == [89.5]             # the self-hosted row, not Novita's 1.00%
    qwq = _rows(res, model="Qwen/QwQ-32B")       # only served by Novita: kept, under its mode
    assert len(qwq) == 14 and set(qwq.subset) == {"prompt"}


def test_identity_from_hf_links(res):
    models = set(res.models.model)
    assert {"Salesforce/Llama-xLAM-2-70b-fc-r", "watt-ai/watt-tool-8B", "zai-org/GLM-4.6",
            "BitAgent/BitAgent-Bounty-8B", "Qwen/QwQ-32B"} <= models        # trailing '/' dropped
    assert "Nanbeige3.5-Pro-Thinking" in models   # link to an organisation page: display name
    assert {"Claude-Opus-4-5-20251101", "GPT-4o-2024-11-20", "Grok-3-mini-beta"} <= models
    assert len(models) == 13 and sum("/" in m for m in models) == 8
    assert not any("(" in m for m in models)


def test_closed_models_not_open(res):
    m = res.models.set_index("model")
    for closed in ("Claude-Opus-4-5-20251101", "Gemini-3-Pro-Preview", "GPT-4o-2024-11-20", "Grok-3-mini-beta"):
        assert m.loc[closed, "open_weights"] == False  # License "Proprietary"
    assert m.loc["zai-org/GLM-4.6", "open_weights"] == True  # MIT
    assert m.loc["zai-org/GLM-4.6", "license"] == "MIT"
    assert m.loc["Salesforce/Llama-xLAM-2-70b-fc-r", "organization"] == "Salesforce"
    assert set(m.modality) == {"text"}


def test_dataset_descriptions(res):
    d = res.datasets.set_index("dataset")
    assert d.description.str.len().min() > 80
    assert d.description.is_unique
    assert "none of the given functions" in d.loc["BFCL v4 Irrelevance Detection", "description"]
    assert "v3" in d.loc["BFCL v3 Live Simple AST", "description"]
    assert set(d.task) == {"tool-use"} and set(d.domain) == {"text"} and set(d.languages) == {"en"}


@pytest.mark.parametrize("label, expected", [
    ("Claude-Opus-4-5-20251101 (FC)", ("Claude-Opus-4-5-20251101", "FC", False)),
    ("GLM-4.6 (FC thinking)", ("GLM-4.6", "FC", True)),
    ("DeepSeek-V3.2-Exp (Prompt + Thinking)", ("DeepSeek-V3.2-Exp", "prompt", True)),
    ("Qwen/QwQ-32B (FC) (Novita)", ("Qwen/QwQ-32B", "FC", True)),
    ("Mistral-Medium-2505", ("Mistral-Medium-2505", "prompt", False)),
    ("Arch-Agent-32B", ("Arch-Agent-32B", "FC", False)),
    ("Unknown-Model", ("Unknown-Model", "", False)),
])
def test_split_label(label, expected):
    assert split_label(label) == expected


@pytest.mark.parametrize("source, n_records", [("bfcl", 238), ("ruler", 54)])
def test_registered_and_loadable(source, n_records):
    """Both new sources (BFCL and RULER) are read by build-corpus."""
    assert source in ADAPTERS and source not in SKIPPED_FOLDERS
    assert len(load_source(FIX, source).records) == n_records


def test_missing_folder_raises(tmp_path):
    with pytest.raises(SourceFileError):
        load_bfcl(tmp_path / "nope")


def test_corrupt_file_is_counted(tmp_path):
    (tmp_path / "v4_2025-12-16").mkdir()
    (tmp_path / "v4_2025-12-16" / "data_overall.csv").write_bytes(b"\x00\xff\x00 not a csv\n\"unclosed")
    res = load_bfcl(tmp_path)
    assert res.report.dropped["unparseable_file"] == 1 and res.records.empty
