"""Tests for the IBM BenchBench and socialfoundations benchbench adapters on tiny native-format
fixtures (tests/fixtures/benchbench/<folder>/)."""
from __future__ import annotations

from pathlib import Path

import pytest

from modellens_core.build.ingest.base import SourceFileError
from modellens_core.build.ingest.benchbench_ibm import ibm_board, load_ibm
from modellens_core.build.ingest.benchbench_socialfoundations import (
    _split_header,
    load_socialfoundations,
    params_from_display,
)

from .contract import check_frames as _check
from .contract import rows as _rows
from .contract import score as _score

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "benchbench"


@pytest.fixture(scope="module")
def ibm():
    return load_ibm(FIX / "benchbench_ibm")


@pytest.fixture(scope="module")
def sf():
    return load_socialfoundations(FIX / "benchbench_socialfoundations")


# ----------------------------------------------------------------------------- IBM
def test_ibm_board_names():
    assert ibm_board("benchmarks_old__helm_classic_240130") == ("helm_classic", "240130")
    assert ibm_board("benchmarks__livecodebench_240601_230701_code") == ("livecodebench", "240601")
    assert ibm_board("benchmarks_old__arena_hard_2404") == ("arena_hard", "240400")
    assert ibm_board("benchmarks__opencompass_math_240829_math") == ("opencompass", "240829")
    assert ibm_board("benchmarks__agenbench_240829_agent") == ("agentbench", "240829")


def test_ibm_scenarios_become_datasets_with_protocol_subset(ibm):
    _check(ibm)
    assert _score(ibm, model="Llama 2 (70B)", dataset="MMLU", subset="helm-classic") == pytest.approx(0.582)
    assert _score(ibm, model="LLaMA (65B)", dataset="NaturalQuestions (closed-book)") == pytest.approx(0.431)
    assert _rows(ibm, model="Llama 2 (70B)", dataset="XSUM").empty          # '-' cell
    assert ibm.report.dropped["non_numeric"] == 1
    assert set(_rows(ibm, dataset="XSUM").task) == {"summarization"}
    # single-column boards keep their headline as the dataset, even "tablebench_overall_dp"
    assert _score(ibm, model="Llama2-7B-Chat", dataset="TableBench") == pytest.approx(16.98)
    # board-specific categories get the board's family
    fam = ibm.datasets.set_index("dataset").family
    assert fam["LV-Eval factrecall-zh"] == "lv-eval"
    assert fam["OpenCompass Math"] == "opencompass"
    assert fam["NaturalQuestions (closed-book)"] == "naturalquestions"
    assert ibm.datasets.set_index("dataset").languages["LV-Eval factrecall-zh"] == "zh"
    assert _score(ibm, model="ChatGLM3-6B", dataset="LV-Eval factrecall-en") == pytest.approx(52.6)  # llm_model


def test_ibm_aggregates_never_datasets(ibm):
    names = set(ibm.records.dataset)
    for agg in ("helm_classic", "AIR-Bench AIR Score", "LV-Eval average", "OpenCompass opencompass",
                "DecodingTrust average", "trustworthy", "olmes_average"):
        assert agg not in names
    # helm_classic x2 files x2 models, AIR score x2, trustworthy x1 + average x2, olmes avg,
    # lvbench average, opencompass x2 files
    assert ibm.report.dropped["aggregate_column"] == 4 + 2 + 3 + 1 + 1 + 2


def test_ibm_duplicates_repeats_and_snapshots(ibm):
    models = set(ibm.records.model)
    assert "Contamination/contaminated_proof_7b_v1.0" not in models   # repeats Open LLM Leaderboard
    assert "llama_2_70b" not in models                                # older helm_classic snapshot
    assert "claude-3-5-sonnet-20240620" not in models                 # older chatbot_arena snapshot
    assert len(_rows(ibm, dataset="ARC-Challenge", subset="olmes")) == 2   # frozen copy not added
    assert _score(ibm, model="Claude-3-Opus-20240229", dataset="BFCL") == 80.0  # first of two rows
    assert _score(ibm, model="Claude-3.5-Sonnet", dataset="OpenCompass Math") == pytest.approx(71.1)
    # hf_open_llm 1 + helm_classic_240130 2 + olmes frozen 3 + old chatbot arena 1 + BFCL 1 + OC_Math 1
    assert ibm.report.dropped["duplicate"] == 9
    assert any("identical to" in n for n in ibm.report.notes)


def test_ibm_directions(ibm):
    air = _rows(ibm, subset="helm-airbench")
    assert len(air) == 4 and air.higher_is_better.eq(False).all()       # lower-is-better list
    trust = _rows(ibm, subset="llm-trustworthy")
    assert len(trust) == 4 and trust.higher_is_better.eq(True).all()    # documented override
    elo = _rows(ibm, metric="elo")
    assert set(elo.dataset) == {"lmarena-text"} and elo.higher_is_better.eq(True).all()
    assert _rows(ibm, dataset="MMLU").higher_is_better.isna().all()     # central table decides


# ----------------------------------------------------------------------------- socialfoundations
def test_split_header():
    assert _split_header("MS-COCO (fairness - gender) - Fractal dimension loss ↓ [ sort ]") == \
        ("MS-COCO (fairness - gender)", "Fractal dimension loss", False)
    assert _split_header("MS-COCO (base) - Photorealism - generated (human) ↑ [ sort ]") == \
        ("MS-COCO (base)", "Photorealism - generated (human)", True)
    assert _split_header("MMLU - ECE (10-bin)") == ("MMLU", "ECE (10-bin)", None)


def test_params_from_display():
    assert params_from_display("Llama 2 (70B)") == 70.0
    assert params_from_display("DALL-E mini (0.4B)") == 0.4
    assert params_from_display("GPT-4o (2024-05-13)") is None


def test_sf_heim_directions_from_arrows(sf):
    _check(sf)
    up = _rows(sf, dataset="MS-COCO (base)", metric="Expected aesthetics score")
    down = _rows(sf, dataset="MS-COCO (fairness - gender)", metric="Fractal dimension loss")
    assert len(up) == 2 and up.higher_is_better.eq(True).all()
    assert len(down) == 2 and down.higher_is_better.eq(False).all()
    assert set(up.task) == {"text-to-image"}
    fam = sf.datasets.set_index("dataset").family
    assert fam["MS-COCO (base)"] == fam["MS-COCO (fairness - gender)"] == "ms-coco"
    m = sf.models.set_index("model")
    assert m.loc["DALL-E 2 (3.5B)", "params_b"] == 3.5 and m.loc["DALL-E 2 (3.5B)", "modality"] == "multimodal"


def test_sf_helm_metric_families(sf):
    ece = _rows(sf, dataset="MMLU", subset="helm-classic", metric="ECE (10-bin)")
    assert len(ece) == 2 and ece.higher_is_better.eq(False).all()        # calibration: lower
    em = _rows(sf, dataset="MMLU", subset="helm-classic", metric="EM")
    assert em.higher_is_better.eq(True).all()
    assert _score(sf, model="LLaMA (65B)", dataset="XSUM", metric="ROUGE-2") == pytest.approx(0.101)
    assert _rows(sf, metric="Density").empty                             # descriptive statistic
    assert _score(sf, model="GPT-4o (2024-05-13)", dataset="GSM8K", subset="helm-lite") == pytest.approx(0.905)
    assert set(_rows(sf, dataset="GSM8K").task) == {"math-reasoning"}
    assert _score(sf, model="GPT-5 mini (2025-08-07)", dataset="Omni-MATH", subset="helm-capabilities") == \
        pytest.approx(0.722)
    assert sf.models.set_index("model").loc["J1-Jumbo v1 (178B)", "params_b"] == 178.0


def test_sf_tables(sf):
    # BBH: subtasks are datasets of family bbh; Average is an aggregate; metadata from the table
    assert _score(sf, model="GPT-4", dataset="bbh-web-of-lies", subset="benchbench-bbh") == 100.0
    fam = sf.datasets.set_index("dataset").family
    assert fam["bbh-boolean-expressions"] == "bbh"
    m = sf.models.set_index("model")
    assert m.loc["DeepSeek-67B-Base", "params_b"] == 67.0 and m.isna().loc["GPT-4", "params_b"]
    assert m.loc["DeepSeek-67B-Base", "release_date"] == "2023-11-29"
    assert m.loc["DeepSeek-67B-Base", "organization"] == "DeepSeek"
    # bigcode: humaneval-<lang>
    assert _score(sf, model="StarCoder-15B", dataset="humaneval-java") == pytest.approx(30.2)
    # GLUE/SuperGLUE: first value of paired cells; each task its own family; MNLI-m in mnli
    assert _score(sf, model="Turing ULR v6", dataset="MRPC", subset="glue-leaderboard") == pytest.approx(94.2)
    assert _score(sf, model="Vega v2", dataset="AX-b") == pytest.approx(-0.4)
    assert fam["CoLA"] == "cola" and fam["MNLI-m"] == "mnli"
    assert _score(sf, model="BERT", dataset="CoLA") == pytest.approx(60.5)   # first BERT row kept
    # MMLU harness: org/model ids, newest run kept
    assert _score(sf, model="kyujinpy/PlatYi-34B-Llama-Q", dataset="mmlu-abstract-algebra",
                  subset="benchbench-harness-5shot") == pytest.approx(0.49)
    assert fam["mmlu-high-school-world-history"] == "mmlu"
    # VTAB: 20 header names for 21 fields, the first field is the model
    assert _score(sf, model="Sup-Rotation-100%", dataset="DTD") == pytest.approx(94.6)
    assert "Mean (selected datasets)" not in set(sf.records.dataset)


def test_sf_drops(sf):
    names = set(sf.records.model)
    assert "cloudyu/Yi-34Bx2-MoE-60B" not in names            # openllm repeats Open LLM v1
    assert "SFR-Embedding-Mistral" not in names               # MTEB averages only
    assert not any("AlexNet" in n for n in names)             # torchvision repeats
    assert not any(d.startswith("acc_") for d in sf.records.dataset)
    # per-class acc_0..2 (3) + Throughput (2) + Density (1)
    assert sf.report.dropped["excluded"] == 3 + 2 + 1
    # openllm 3 + imagenet Acc@1/Acc@5/acc 3 + raw 2 + GLUE second BERT 4 + older MMLU run 2
    assert sf.report.dropped["duplicate"] == 14
    # per cell: bbh Average 2, bigcode Win 2, GLUE 3 + SuperGLUE 1 Score, mean win rate / mean
    # score of helm accuracy 2, calibration 2, summarization 1, lite 1, capability 1, heim 2,
    # MTEB averages 2, vtab Mean 2, mmlu average_score 3
    assert sf.report.dropped["aggregate_column"] == 2 + 2 + 4 + (2 + 2 + 1 + 1 + 1 + 2) + 2 + 2 + 3
    assert "bbh__vanilla.tsv" not in " ".join(sf.report.notes)


@pytest.mark.parametrize("loader", [load_ibm, load_socialfoundations])
def test_missing_folder_raises(tmp_path, loader):
    with pytest.raises(SourceFileError, match="absent"):
        loader(tmp_path / "absent")
