"""Tests for the LLM adapters (llm_*.py) on tiny native-format fixtures (tests/fixtures/llm/)."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from modellens_core.build.ingest.base import SourceFileError
from modellens_core.build.ingest.llm_epoch import load_epoch
from modellens_core.build.ingest.llm_obsscaling import load_obsscaling
from modellens_core.build.ingest.llm_sloth import load_sloth
from modellens_core.build.ingest.llm_swallow import load_swallow

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "llm"


def _score(res, model, dataset, subset=None, metric=None):
    r = res.records
    m = (r.model == model) & (r.dataset == dataset)
    if subset is not None:
        m &= r.subset == subset
    if metric is not None:
        m &= r.metric == metric
    assert m.sum() == 1, r[m]
    return float(r[m].score.iloc[0])


def _check_contract(res):
    """Every cell read is a record or a counted drop; frames cover exactly the emitted names."""
    rep = res.report
    drops = sum(v for k, v in rep.dropped.items() if k != "unparseable_file")
    assert rep.rows_read == len(res.records) + drops
    assert set(res.records.model) == set(res.models.model)
    assert set(res.records.dataset) == set(res.datasets.dataset)
    assert not res.records.duplicated(["model", "dataset", "subset", "task", "metric"]).any()
    assert (res.records.task != "").all()
    p = res.models.params_b.dropna()
    assert (p > 0).all()


@pytest.fixture(scope="module")
def obs():
    return load_obsscaling(FIX / "obsscaling")


def test_obsscaling_records_and_protocol_tags(obs):
    _check_contract(obs)
    assert _score(obs, "meta-llama/Llama-2-7b-hf", "MMLU", "obsscaling") == pytest.approx(0.4379)
    assert _score(obs, "meta-llama/Llama-2-7b-hf", "Winogrande") == pytest.approx(0.7403)  # "Winograd"
    assert _score(obs, "meta-llama/Llama-2-7b-hf", "MATH Lvl 5", "obsscaling") == pytest.approx(0.012)
    # instruct table: API id as written, own protocol tag, rescaled Elo as its own metric
    assert _score(obs, "gpt-4-0613", "MMLU", "obsscaling-instruct") == pytest.approx(0.864)
    assert _score(obs, "gpt-4-0613", "Chatbot Arena", metric="elo-rescaled") == pytest.approx(0.9239)
    # post-training settings are separate subsets; BBH subtask has family bbh
    assert _score(obs, "EleutherAI/pythia-160m-deduped", "bbh-snarks",
                  "obsscaling/cot-fewshot-3shot/strict-match") == pytest.approx(0.45)
    assert _score(obs, "meta-llama/Llama-2-7b-hf", "GSM8K", "obsscaling/standard-5shot/strict-match") == 0.14
    ds = obs.datasets.set_index("dataset")
    assert ds.loc["bbh-snarks", "family"] == "bbh"
    assert ds.loc["AgentBoard WebArena", "task"] == "agent"
    # BLEU kept on its own metric, as published (0-100)
    assert _score(obs, "meta-llama/Llama-2-7b-hf", "ipa-transliterate", metric="bleu") == pytest.approx(27.2387)


def test_obsscaling_drops(obs):
    d = obs.report.dropped
    assert d["excluded"] == 4          # the four ",norm" cells (negative values never ingested)
    assert (obs.records.score >= 0).all()
    assert d["duplicate"] == 4         # the sub-10B copy: 4 score cells
    # BBH overall (2 cells) + ABench-OA (2) + ABoard-Avg_PR/SR (1 each)
    assert d["aggregate_column"] == 6
    assert d["nan"] == 1 + 2           # pythia GSM8K gap + gpt-4 AgentBoard WebArena gaps
    post = obs.records[obs.records.subset.str.startswith("obsscaling/cot-fewshot")]
    assert set(post.dataset) == {"bbh-snarks"}                    # BBH overall never a dataset
    assert {"AgentBench OA", "AgentBoard Avg"}.isdisjoint(obs.records.dataset)


def test_obsscaling_models(obs):
    m = obs.models.set_index("model")
    assert m.loc["meta-llama/Llama-2-7b-hf", "params_b"] == 7.0
    assert m.loc["EleutherAI/pythia-160m-deduped", "params_b"] == pytest.approx(0.16)
    assert pd.isna(m.loc["mystery/model-x", "params_b"])        # 0 -> unknown
    assert pd.isna(m.loc["gpt-4-0613", "params_b"])
    assert m.loc["meta-llama/Llama-2-7b-hf", "family"] == "Llama-2"
    assert "2T tokens" in m.loc["meta-llama/Llama-2-7b-hf", "description"]
    assert m.loc["meta-llama/Llama-2-7b-hf", "organization"] == "meta-llama"


@pytest.fixture(scope="module")
def sloth():
    return load_sloth(FIX / "sloth")


def test_sloth_records_families_and_dedupe(sloth):
    _check_contract(sloth)
    r = sloth.records
    assert set(r.subset) == {"sloth", "open-llm-v2"}
    assert _score(sloth, "yi-1.5-6b", "mmlu-abstract-algebra") == pytest.approx(0.30)
    assert _score(sloth, "pythia-160m", "XWinograd") == pytest.approx(0.52)   # v2 fills v1's gap
    ds = sloth.datasets.set_index("dataset")
    assert ds.loc["mmlu-abstract-algebra", "family"] == "mmlu"
    assert ds.loc["bbh-snarks", "family"] == "bbh"
    assert ds.loc["math-algebra-hard", "family"] == "math"
    assert ds.loc["MuSR", "family"] == "musr"
    # pythia-160m is in both files: its 6 cells filled in both count as duplicate
    # (+ the second open-llm precision row x 6 + Agent.csv copy of ObsScaling, 2 cells)
    assert sloth.report.dropped["duplicate"] == 6 + 6 + 2
    assert "yi-1.5-6b" in set(r.model)                            # names as written


def test_sloth_open_llm_snapshot(sloth):
    r = sloth.records[sloth.records.subset == "open-llm-v2"]
    assert set(r.dataset) == {"IFEval", "BBH", "MATH Lvl 5", "GPQA", "MuSR", "MMLU-PRO"}
    assert _score(sloth, "dnhkng/RYS-XLarge", "IFEval", "open-llm-v2") == pytest.approx(0.8)  # raw, first row
    assert "contaminated/model-7b" not in set(r.model)             # Flagged=False means flagged
    d = sloth.report.dropped
    assert d["flagged"] == 6
    assert d["aggregate_column"] == 3                              # Average ⬆️
    assert d["excluded"] == 3 * 6 + 2                              # normalised columns + lower_bounds
    m = sloth.models.set_index("model")
    assert m.loc["dnhkng/RYS-XLarge", "params_b"] == 77 and m.loc["dnhkng/RYS-XLarge", "license"] == "mit"
    assert m.loc["llama-2-7b-chat", "params_b"] == 7.0             # 0 in data_v2 -> training_tokens.csv
    assert m.loc["yi-1.5-6b", "release_date"] == "2024-05-16"


@pytest.fixture(scope="module")
def epoch():
    return load_epoch(FIX / "epoch_benchmark_stitching")


def test_epoch_headlines_and_ids(epoch):
    _check_contract(epoch)
    hf = "mistralai/Mistral-7B-v0.3"                                # from the huggingface.co link
    assert _score(epoch, "gpt-5.1_medium", "MMLU", "epoch") == 77.0   # "77.0%", first row kept
    assert _score(epoch, hf, "BBH", "epoch") == pytest.approx(56.1)   # headline "Average" is no aggregate
    assert _score(epoch, "gpt-5.1_medium", "GPQA Diamond", "epoch-runs") == pytest.approx(0.85)
    assert _score(epoch, hf, "MATH Level 5", "epoch-runs") == pytest.approx(0.12)
    metr = epoch.records[epoch.records.dataset == "METR Time Horizon"]
    assert metr.higher_is_better.tolist() == [True, True] and metr.metric.iloc[0] == "time-horizon"
    assert "BoolQ" not in set(epoch.records.dataset)
    d = epoch.report.dropped
    assert d["excluded"] == 2 and d["duplicate"] == 2 and d["nan"] == 1 and d["non_numeric"] == 1
    m = epoch.models.set_index("model")
    assert m.loc[hf, "release_date"] == "2024-05-22" and m.loc[hf, "organization"] == "mistralai"
    assert epoch.datasets.set_index("dataset").loc["GPQA Diamond", "task"] == "multiple-choice-qa"


@pytest.fixture(scope="module")
def swallow():
    return load_swallow(FIX / "swallow")


def test_swallow_records(swallow):
    _check_contract(swallow)
    r = swallow.records
    assert _score(swallow, "gpt-5-2025-08-07", "IFBench", "en_post") == pytest.approx(0.6)
    assert _score(swallow, "gpt-5-2025-08-07", "M-IFEval-Ja", "ja_post") == pytest.approx(0.7)
    assert _score(swallow, "tokyotech-llm/Llama-3.1-Swallow-8B-v0.2", "JCommonsenseQA", "ja_pre") == 0.91
    assert _score(swallow, "gpt-5-2025-08-07", "Japanese MT-Bench coding", "ja_mtb") == 0.95
    assert not r.dataset.str.lower().isin(["avg", "en avg", "ja avg"]).any()
    ds = swallow.datasets.set_index("dataset")
    assert ds.loc["JCommonsenseQA", "description"] == "Five-choice questions created with a knowledge base"
    assert ds.loc["WMT20 en-ja", "task"] == "translation" and ds.loc["WMT20 en-ja", "languages"] == "en,ja"
    assert ds.loc["Japanese MT-Bench coding", "family"] == "mt-bench"
    assert r.set_index("dataset").loc["Japanese MT-Bench coding", "metric"] == "judge-score"


def test_swallow_history_and_models(swallow):
    d = swallow.report.dropped
    # 5 current avg + 1 history "En Avg"
    assert d["aggregate_column"] == 6
    assert d["excluded"] == 2                                       # -0.01 sentinel, 構築中 placeholder
    assert d["duplicate"] == 2                                      # current model row + superseded BBH
    assert _score(swallow, "old-org/Old-Model-7B", "BBH", "en_basic-history") == pytest.approx(0.35)
    assert _score(swallow, "old-org/Old-Model-7B", "WMT20 en-ja", "ja_basic-history") == pytest.approx(0.20)
    m = swallow.models.set_index("model")
    assert pd.isna(m.loc["gpt-5-2025-08-07", "params_b"])            # params 0 = undisclosed
    assert m.loc["gpt-5-2025-08-07", "open_weights"] == False        # noqa: E712 - API model
    assert m.loc["tokyotech-llm/Llama-3.1-Swallow-8B-v0.2", "base_model"] == "Llama 3.1 8B"
    assert pd.isna(m.loc["gpt-5-2025-08-07", "base_model"])          # "－" = none
    assert m.loc["old-org/Old-Model-7B", "params_b"] == 7.0 and pd.isna(m.loc["old-org/Old-Model-7B", "base_model"])
    assert m.loc["tokyotech-llm/Llama-3.1-Swallow-8B-v0.2", "release_date"] == "2024-11-11"


def test_missing_folder_and_corrupt_file(tmp_path):
    with pytest.raises(SourceFileError, match="nope"):
        load_obsscaling(tmp_path / "nope")
    (tmp_path / "instruct_llm_agent_eval.csv").write_bytes(b"\x00\xff\xfe broken")
    res = load_obsscaling(tmp_path)          # every file missing or corrupt: counted, no traceback
    assert res.report.dropped["unparseable_file"] >= 6 and res.records.empty
    assert any("instruct_llm_agent_eval.csv" in n for n in res.report.notes)
