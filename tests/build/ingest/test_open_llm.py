"""Open LLM Leaderboard adapter on a tiny fixture in the source's native CSV layout."""
from pathlib import Path

import pandas as pd
import pytest

from modellens_core.build.ingest.base import SourceFileError
from modellens_core.build.ingest.open_llm import load

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "open_llm"


@pytest.fixture(scope="module")
def res():
    return load(FIX)


def _score(res, model, dataset):
    r = res.records
    return r[(r.model == model) & (r.dataset == dataset)].score.tolist()


def test_v1_inverted_flag_drops_contaminated_model(res):
    assert "Contamination/contaminated_proof_7b" not in set(res.records.model)
    assert res.report.dropped["flagged"] == 6 + 6  # v1 contaminated row + v2 features_is_flagged row
    assert "org-d/Flagged-9B" not in set(res.records.model)


def test_v1_prefers_bfloat16_over_4bit_and_counts_duplicate(res):
    assert _score(res, "org-a/Alpha-7B", "ARC-Challenge") == [60.1]  # bfloat16 row, as published (%)
    # v1: one 4bit row (6 scores); v2: one float16 row of Gamma (6 scores)
    assert res.report.dropped["duplicate"] == 12


def test_v2_uses_raw_value_not_normalized(res):
    assert _score(res, "org-a/Alpha-7B", "IFEval") == [0.5]
    assert _score(res, "org-c/Gamma-1.5B", "BBH") == [0.31]  # bfloat16 beats float16
    r = res.records
    assert set(r[r.dataset == "MATH Lvl 5"].metric) == {"exact-match"}


def test_subsets_tasks_and_nan(res):
    r = res.records
    assert set(r[r.dataset == "MMLU"].subset) == {"open-llm-v1"}
    assert set(r[r.dataset == "GPQA"].subset) == {"open-llm-v2"}
    assert set(r[r.dataset == "GSM8K"].task) == {"math-reasoning"}
    assert set(r[r.dataset == "HellaSwag"].task) == {"multiple-choice-qa"}
    assert res.report.dropped["nan"] == 1  # Merge-Beta has no gsm8k
    assert not r.duplicated(["model", "dataset", "subset", "task", "metric"]).any()


def test_aggregates_counted_and_rows_read(res):
    assert "average" not in set(res.records.dataset)
    # v1: 4 rows x 7 cells; v2: 4 rows + 1 union-history row x 7 cells
    assert res.report.rows_read == 4 * 7 + 5 * 7
    assert res.report.dropped["aggregate_column"] == 4 + 5


def test_union_history_adds_missing_evaluation_once(res):
    assert _score(res, "meta-x/Old-Name-8B", "IFEval") == [0.7]
    assert any("1 evaluations" in n for n in res.report.notes)


def test_model_metadata(res):
    m = res.models.set_index("model")
    assert set(m.index) == set(res.records.model)
    assert m.loc["org-c/Gamma-1.5B", "params_b"] == pytest.approx(1.5)  # -1 unknown -> from the name
    assert pd.isna(m.loc["org-b/Merge-Beta", "params_b"])                # 0 unknown, no size in the name
    assert m.loc["org-a/Alpha-7B", "params_b"] == pytest.approx(7.24)     # v2 precise value preferred
    assert m.loc["org-c/Gamma-1.5B", "base_model"] == "Qwen/Qwen2.5-1.5B"
    assert pd.isna(m.loc["org-a/Alpha-7B", "base_model"])                 # base == itself -> none
    assert m.loc["org-a/Alpha-7B", "release_date"] == "2023-08-01"        # first seen (v1)
    assert m.loc["org-a/Alpha-7B", "popularity"] == 12
    assert m.loc["org-b/Merge-Beta", "family"] == "mistral"               # from the architecture
    assert "merged" in m.loc["org-b/Merge-Beta", "description"]           # inverted `merged`
    assert m.loc["org-a/Alpha-7B", "organization"] == "org-a"
    assert bool(m.loc["org-a/Alpha-7B", "open_weights"]) and m.loc["org-a/Alpha-7B", "modality"] == "text"


def test_datasets_frame(res):
    d = res.datasets.set_index("dataset")
    assert set(res.records.dataset) <= set(d.index)
    assert d.loc["MMLU-Pro", "family"] == "mmlu-pro" and d.loc["IFEval", "task"] == "instruction-following"


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(SourceFileError, match="nowhere"):
        load(tmp_path / "nowhere")


def test_unreadable_file_is_counted(tmp_path):
    (tmp_path / "v1.csv").write_bytes(b"\x00\x01garbage")
    (tmp_path / "v2.csv").write_text((FIX / "v2.csv").read_text())
    res = load(tmp_path)
    assert res.report.dropped["unparseable_file"] == 1
    assert set(res.records.subset) == {"open-llm-v2"}
