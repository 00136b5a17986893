"""Tests for the RULER adapter on a tiny native-format fixture (tests/fixtures/ruler/): the header,
the Llama2 threshold row and 9 model rows of the README's results table, unchanged Markdown.

Counts by hand: 10 rows x 6 lengths = 60 cells; Llama2 has only its 4K value (5 "nan"),
EXAONE-4.0-1.2B has ``-`` at 128K (1 "non_numeric"): 54 records. Aggregates: 3 columns x 10 rows,
minus Llama2's 3 empty cells = 27 (``TBD`` cells count). Claimed/effective lengths: metadata.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from modellens_core.build.ingest.base import SourceFileError
from modellens_core.build.ingest.board_links import hf_repo_id, split_markdown_link
from modellens_core.build.ingest.board_ruler import load_ruler, markdown_rows

from .contract import check_frames, score

FIX = Path(__file__).resolve().parents[2] / "fixtures"
LENGTHS = ["4K", "8K", "16K", "32K", "64K", "128K"]


@pytest.fixture(scope="module")
def res():
    return load_ruler(FIX / "ruler")


def _score(res, model, subset):
    return score(res, model=model, subset=subset)


def test_counts_by_reason(res):
    rep = res.report
    assert len(res.records) == 54
    assert dict(rep.dropped) == {"nan": 5, "non_numeric": 1, "aggregate_column": 27}
    assert rep.rows_read == 87 == len(res.records) + sum(rep.dropped.values())


def test_frames_contract(res):
    check_frames(res)
    assert set(res.records.dataset) == {"RULER"} and set(res.records.task) == {"long-context"}
    assert set(res.records.metric) == {"accuracy"} and res.records.higher_is_better.eq(True).all()


def test_context_length_is_the_subset(res):
    assert sorted(set(res.records.subset), key=LENGTHS.index) == LENGTHS
    jamba = "ai21labs/AI21-Jamba-1.5-Large"
    assert [_score(res, jamba, s) for s in LENGTHS] == [96.7, 96.6, 96.4, 96.0, 95.4, 95.1]  # <ins> removed
    exaone = res.records[res.records.model == "LGAI-EXAONE/EXAONE-4.0-1.2B"]
    assert sorted(exaone.subset, key=LENGTHS.index) == LENGTHS[:5]           # '-' at 128K dropped
    assert _score(res, "LGAI-EXAONE/EXAONE-4.0-1.2B", "64K") == 77.4
    # the threshold row keeps its one real measurement
    llama2 = res.records[res.records.model == "meta-llama/Llama-2-7b-chat-hf"]
    assert list(llama2.subset) == ["4K"] and list(llama2.score) == [85.6]


def test_aggregates_absent(res):
    assert not {"Avg.", "wAvg. (inc)", "wAvg. (dec)"} & set(res.records.subset)
    qwen = res.records[res.records.model == "Qwen/Qwen2.5-7B-Instruct-1M"]
    assert len(qwen) == 6 and 91.8 not in set(qwen.score)                     # its Avg.


def test_identity_markdown_and_closed(res):
    m = res.models.set_index("model")
    # two rows named "Llama3.1" are two models: the link decides
    assert _score(res, "meta-llama/Meta-Llama-3.1-70B-Instruct", "128K") == 66.6
    assert _score(res, "meta-llama/Meta-Llama-3.1-8B-Instruct", "128K") == 77.0
    assert len(m) == 10 and sum("/" in x for x in m.index) == 8
    assert "Gemini-1.5-pro" in m.index and "FILM-7B" in m.index          # no HF repo; '*' removed
    assert m.loc["Gemini-1.5-pro", "open_weights"] == False  # API documentation link
    assert pd.isna(m.loc["FILM-7B", "open_weights"])                       # paper link: unknown
    assert m.loc["Qwen/Qwen2.5-7B-Instruct-1M", "open_weights"] == True
    assert m.loc["ai21labs/AI21-Jamba-1.5-Large", "params_b"] == 398.0    # active/total -> total
    assert m.loc["mistralai/Mixtral-8x7B-instruct-v0.1", "params_b"] == 46.7
    assert m.loc["meta-llama/Llama-2-7b-chat-hf", "params_b"] == 7.0
    assert m.loc["meta-llama/Llama-2-7b-chat-hf", "organization"] == "meta-llama"


def test_dataset_description(res):
    d = res.datasets.set_index("dataset")
    assert list(d.index) == ["RULER"] and d.loc["RULER", "family"] == "ruler"
    assert "128K" in d.loc["RULER", "description"] and d.loc["RULER", "domain"] == "text"


def test_markdown_helpers():
    url = "https://ai.google.dev/x#:~:text=Gemini%201.5%20Pro%20(Preview%20only),-Text"
    assert split_markdown_link(f"[Gemini-1.5-pro]({url})") == ("Gemini-1.5-pro", url, "")
    assert split_markdown_link("[Llama2](https://huggingface.co/a/b) (7B)") == \
        ("Llama2", "https://huggingface.co/a/b", "(7B)")
    assert split_markdown_link("plain name") == ("plain name", "", "")
    header, rows = markdown_rows("|A|B|C|\n|:---:|:---:|:---:|\n|x|1|\ny|2|3\n\n|other|table|\n")
    assert header == ["A", "B", "C"] and rows == [["x", "1", ""], ["y", "2", "3"]]
    assert hf_repo_id("https://huggingface.co/watt-ai/watt-tool-70B/") == "watt-ai/watt-tool-70B"
    assert hf_repo_id("https://huggingface.co/Nanbeige") is None
    assert hf_repo_id("https://huggingface.co/collections/org/name") is None
    assert hf_repo_id("https://arxiv.org/pdf/2404.16811") is None


def test_missing_folder_and_file(tmp_path):
    with pytest.raises(SourceFileError):
        load_ruler(tmp_path / "nope")
    res = load_ruler(tmp_path)                     # folder without the table: counted, empty
    assert res.report.dropped["unparseable_file"] == 1 and res.records.empty
