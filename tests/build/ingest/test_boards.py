"""Tests for the LMArena, AlpacaEval, EvalPlus and Aider adapters on tiny native-format
fixtures (tests/fixtures/boards/<folder>/)."""
from __future__ import annotations

from pathlib import Path

import pytest

from modellens_core.build.ingest.base import SourceFileError
from modellens_core.build.ingest.board_aider import load_aider
from modellens_core.build.ingest.board_alpaca_eval import load_alpaca_eval
from modellens_core.build.ingest.board_evalplus import hf_id_from_link, load_evalplus
from modellens_core.build.ingest.board_lmarena import load_lmarena

from .contract import check_frames
from .contract import rows as _rows
from .contract import score as _score

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "boards"


def _check_frames(res):
    check_frames(res, conserved=False)


def _conserved(res):
    """Every score cell read is a record or one counted drop."""
    rep = res.report
    assert rep.rows_read == len(res.records) + sum(rep.dropped.values())


def test_lmarena_snapshots_duplicates_and_metadata():
    res = load_lmarena(FIX / "lmarena")
    _check_frames(res)
    _conserved(res)
    # each arena is its own dataset; subset = snapshot; Elo stated higher-is-better
    assert _score(res, model="Gemini-2.5-Pro", dataset="lmarena-text", subset="2025-08-04") == 1470
    assert _score(res, model="Gemini-2.5-Pro", dataset="lmarena-text", subset="2025-07-18") == 1474
    assert _score(res, model="Gemini-2.5-Pro", dataset="lmarena-vision", subset="2025-08-04") == 1317
    assert set(_rows(res, dataset="lmarena-image").task) == {"text-to-image"}
    assert res.records.higher_is_better.eq(True).all()
    assert set(res.records.metric) == {"elo"}
    # Yi-34B-Chat twice in the text arena + the union row that repeats the lmsys file
    assert res.report.dropped["duplicate"] == 2
    assert len(_rows(res, model="Yi-34B-Chat", dataset="lmarena-text", subset="2025-08-04")) == 1
    # retired models keep their own snapshot, never the lmsys file's group
    assert _score(res, model="Gemini-Advanced-0514", subset="2024-08-06") == 1266
    assert set(_rows(res, subset="2025-07-18").model) == {"Gemini-2.5-Pro", "Yi-34B-Chat"}
    m = res.models.set_index("model")
    assert m.loc["Gemini-2.5-Pro", "open_weights"] == False  # noqa: E712 - Proprietary
    assert m.loc["GLM-4.5", "open_weights"] == True  # noqa: E712
    assert m.loc["GLM-4.5", "organization"] == "Z.ai"
    assert m.loc["Gemini-2.5-Pro", "modality"] == "multimodal"
    assert m.loc["Gemini-1.5-Pro-API-0514", "release_date"] == "2024-06-20"


def test_alpaca_eval_configs_and_exclusions():
    res = load_alpaca_eval(FIX / "alpaca_eval")
    _check_frames(res)
    ae2 = "weighted_alpaca_eval_gpt4_turbo"
    assert _score(res, model="SelfMoA_gemma-2-9b-it-WPO-HB", dataset="alpacaeval-2", subset=ae2,
                  metric="win-rate") == pytest.approx(77.58)
    assert _score(res, model="SelfMoA_gemma-2-9b-it-WPO-HB", dataset="alpacaeval-2", subset=ae2,
                  metric="lc-win-rate") == pytest.approx(78.53)
    assert _score(res, model="xwinlm-70b-v0.3", dataset="alpacaeval-1", subset="alpaca_eval_gpt4",
                  metric="lc-win-rate") == pytest.approx(94.01)
    models = set(res.records.model)
    assert "NullModel" not in models            # adversarial sentinel
    assert "gpt4_turbo" not in models           # reference self-comparison (50.0 by construction)
    assert "some-dev-run" not in models         # dev mode
    assert "old-model" in models                # minimal mode kept
    assert "alpaca_eval_gpt4_fn" not in models  # annotators are not models
    # 3 excluded rows x 2 score columns + 8 annotator cells; old-model has no LC value
    assert res.report.dropped["excluded"] == 3 * 2 + 8
    assert res.report.dropped["nan"] == 1
    assert set(res.datasets.family) == {"alpacaeval"}
    assert set(res.records.task) == {"chat"}


def test_evalplus_results_evalperf_repoqa():
    res = load_evalplus(FIX / "evalplus")
    _check_frames(res)
    _conserved(res)
    # HF id from the huggingface.co link, else the name as written
    assert _score(res, model="infly/OpenCoder-8B-Instruct", dataset="HumanEval+") == pytest.approx(77.4)
    assert _score(res, model="GPT-4 (May 2023)", dataset="HumanEval") == pytest.approx(88.4)
    assert _rows(res, model="GPT-4 (May 2023)", dataset="MBPP").empty
    assert res.report.dropped["nan"] == 4                       # null = not run
    m = res.models.set_index("model")
    assert m.loc["infly/OpenCoder-8B-Instruct", "params_b"] == 8.0
    assert m.loc["infly/OpenCoder-8B-Instruct", "organization"] == "infly"
    assert m.isna().loc["ajibawa-2023/Code-13B", "params_b"]   # size 0 = unknown, never 0
    # EvalPerf: three metrics, org--model -> org/model, heatmap and variant runs dropped
    perf = _rows(res, dataset="EvalPerf")
    assert set(perf.metric) == {"dps", "dps_norm", "pass@1"}
    assert perf.higher_is_better.eq(True).all()
    assert _score(res, model="o1-mini-2024-09-12", dataset="EvalPerf", metric="dps") == 85.0
    assert "heatmap_data" not in set(res.records.model)
    assert res.report.dropped["duplicate"] == 3                 # the (⏩) run
    # RepoQA: per-language subset at threshold 0.8; "all" is an aggregate
    assert _score(res, model="gpt-4-turbo-2024-04-09", dataset="RepoQA", subset="python") == pytest.approx(0.84)
    assert "all" not in set(_rows(res, dataset="RepoQA").subset)
    assert res.report.dropped["aggregate_column"] == 2 * 3 + 2  # win rates (3 models) + all (2 thresholds)
    assert res.report.dropped["excluded"] == 1 + 3              # heatmap + threshold 0.5 cells
    fam = res.datasets.set_index("dataset").family
    assert fam["HumanEval+"] == fam["HumanEval"] == "humaneval"
    assert set(res.records.task) == {"code-generation"}


def test_hf_id_from_link():
    assert hf_id_from_link("https://huggingface.co/Qwen/CodeQwen1.5-7B") == "Qwen/CodeQwen1.5-7B"
    assert hf_id_from_link("https://arxiv.org/abs/2203.13474") is None
    assert hf_id_from_link(None) is None


def test_aider_best_run_incomplete_and_routing():
    res = load_aider(FIX / "aider")
    _check_frames(res)
    _conserved(res)
    # best of model-a's two runs; the other run is a duplicate
    assert _score(res, model="model-a", dataset="Aider Polyglot") == 45.5
    # incomplete runs (224/225, 36/133, 83/89) are excluded
    assert _rows(res, model="model-b").empty
    assert _rows(res, model="o1-mini").empty
    assert _rows(res, model="claude-3-opus-20240229").empty
    assert res.report.dropped["excluded"] == 3
    # the 225-case run listed in the edit file is a polyglot run
    assert _score(res, model="o1-mini-2024-09-12", dataset="Aider Polyglot") == 27.1
    # refactor has one attempt: pass_rate_1
    assert _score(res, model="gpt-4o", dataset="Aider Refactoring") == 62.9
    # quant.yml: labels qualified by the benchmarked model; the run shared with edit counted once
    q = "Qwen/Qwen2.5-Coder-32B-Instruct (Ollama: q4_K_M)"
    assert _score(res, model=q, dataset="Aider Code Editing") == 66.9
    assert res.report.dropped["duplicate"] == 2
    m = res.models.set_index("model")
    assert m.loc[q, "base_model"] == "Qwen/Qwen2.5-Coder-32B-Instruct"
    assert m.loc["gpt-4o-2024-05-13", "release_date"] == "2024-05-13"
    assert set(res.records.metric) == {"pass-rate"}
    assert set(res.records.task) == {"code-editing"}


@pytest.mark.parametrize("loader", [load_lmarena, load_alpaca_eval, load_evalplus, load_aider])
def test_missing_folder_raises_named_error(tmp_path, loader):
    with pytest.raises(SourceFileError, match="nope"):
        loader(tmp_path / "nope")


def test_corrupt_file_is_counted_not_raised(tmp_path):
    (tmp_path / "results.json").write_text("{not json")
    res = load_evalplus(tmp_path)
    # the corrupt file plus the two absent ones
    assert res.report.dropped["unparseable_file"] == 3
    assert any("results.json" in n for n in res.report.notes)
    assert res.records.empty
