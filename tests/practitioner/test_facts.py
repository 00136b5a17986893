"""The practitioner evaluation's building blocks on hand-made cases: Wilson intervals, model facts,
fit rates, duplicate counting, the induced-order metrics and the per-item judgement."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from modellens_core.common.metrics import ndcg_at_k, overlap_at_k, tau_w
from modellens_core.practitioner.evaluate import Item, fit_row, judge, understood
from modellens_core.practitioner.facts import ModelFacts, count_duplicates
from modellens_core.practitioner.stats import induced_order_metrics, mean_estimate, proportion, reliability, wilson


def _naive_wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The score interval by brute force: every p0 on a fine grid the score test does not reject."""
    p0 = np.linspace(0.0, 1.0, 2_000_001)
    keep = np.abs(k / n - p0) <= z * np.sqrt(p0 * (1 - p0) / n) + 1e-15
    return float(p0[keep].min()), float(p0[keep].max())


@pytest.mark.parametrize("k,n", [(8, 10), (0, 7), (7, 7), (1, 3), (41, 50), (120, 150)])
def test_wilson_matches_the_brute_force_score_interval(k, n):
    p, lo, hi = wilson(k, n)
    nlo, nhi = _naive_wilson(k, n)
    assert p == pytest.approx(k / n)
    assert lo == pytest.approx(nlo, abs=2e-6) and hi == pytest.approx(nhi, abs=2e-6)


def test_wilson_known_value_and_edges():
    _, lo, hi = wilson(8, 10)   # the textbook value: 0.4902 .. 0.9433
    assert (round(lo, 4), round(hi, 4)) == (0.4902, 0.9433)
    assert wilson(0, 5)[1] == 0.0 and wilson(5, 5)[2] == 1.0
    assert all(math.isnan(v) for v in wilson(0, 0))
    e = proportion([True, False, None, float("nan"), True])   # missing flags are not counted
    assert e.n == 3 and e.value == pytest.approx(2 / 3)


def test_mean_estimate_interval_brackets_the_mean_and_is_reproducible():
    v = [0.0, 0.5, 1.0, 1.0, 0.8, float("nan")]
    a, b = mean_estimate(v), mean_estimate(v)
    assert a == b and a.n == 5 and a.value == pytest.approx(0.66)
    assert a.lo < a.value < a.hi
    assert mean_estimate([]).n == 0


def test_reliability_bins_items_by_confidence():
    rel = reliability([0.1, 0.15, 0.95, 1.0, float("nan")], [False, True, True, True, False]).set_index("bin")
    assert rel.loc["[0.0, 0.2)", "n"] == 2 and rel.loc["[0.0, 0.2)", "accuracy"].value == 0.5
    assert rel.loc["[0.8, 1.0]", "n"] == 2 and rel.loc["[0.8, 1.0]", "accuracy"].value == 1.0
    assert rel.loc["no confidence", "n"] == 1


def test_duplicates_count_one_underlying_model_once():
    names = ["TheBloke/Llama-2-7B-GPTQ", "meta-llama/Llama-2-7B", "someone/llama-2-7b-bf16",   # one model
             "glm-4.5-fp8", "zai/GLM-4.5",                                                     # one model
             "org/mymodel-q4", "org/other-name",                                               # variant_of link
             "a/bert-base", "a/bert-large"]                                                    # two models
    assert count_duplicates(names) == 3
    assert count_duplicates(names, {"org/mymodel-q4": "org/other-name"}) == 4
    assert count_duplicates([]) == 0 and count_duplicates(["x/a", "x/a"]) == 1


def _facts() -> ModelFacts:
    records = pd.DataFrame({"model": ["m/asr-1", "m/asr-1", "m/asr-2", "m/text-1", "m/vis-1", "paper:m"],
                            "task": ["automatic-speech-recognition", "audio-classification",
                                     "automatic-speech-recognition", "text-classification",
                                     "image-classification", "automatic-speech-recognition"]})
    models = pd.DataFrame({"model": ["m/asr-1", "m/asr-2", "m/text-1", "m/vis-1", "paper:m", "api/x", "slug-a",
                                     "slug-b"],
                           "modality": ["speech", "speech", "text", "vision", "speech", "text", "text", "text"],
                           "kind": ["hub-model", "hub-model", "hub-model", "library-weights", "paper-method",
                                    "api-model", "unlinked", "unlinked"],
                           "open_weights": [True, True, True, True, None, False, True, None],
                           "variant_of": [None] * 8})
    langs = {"m/asr-1": frozenset({"en", "de"}), "m/asr-2": frozenset({"en"}), "m/text-1": frozenset()}
    return ModelFacts(records, models, langs)


def _item(**kw) -> Item:
    base = dict(id="x", part="tune", description="d", written_in="en", tasks=("automatic-speech-recognition",),
                modality="speech", languages=("de",), metrics=("wer",), not_covered=False, gibberish=False,
                dataset=None)
    return Item(**{**base, **kw})


def test_fit_rates_on_a_hand_made_top_list():
    facts = _facts()
    names = ["m/asr-1", "m/asr-2", "m/text-1", "paper:m", "api/x"]
    r = fit_row(facts, _item(), names)
    assert r["rows"] == 5
    assert r["task_fit"] == pytest.approx(3 / 5)          # asr-1, asr-2, paper:m have ASR records
    assert r["modality_fit"] == pytest.approx(3 / 5)      # the three speech models
    # German: asr-1 fits, asr-2 does not; text-1 (empty set), paper:m and api/x are of unknown language
    assert r["language_fit"] == pytest.approx(1 / 2)
    assert r["language_unknown"] == pytest.approx(3 / 5)
    assert (r["paper_only"], r["api_only"], r["duplicates"]) == (1, 1, 0)
    free = fit_row(facts, _item(languages=()), names)        # language-free data: no language fit counted
    assert math.isnan(free["language_fit"]) and free["language_free_rows"] == 5
    multi = fit_row(facts, _item(languages=("multilingual",)), names)
    assert math.isnan(multi["language_fit"]) and multi["multilingual_rows"] == 5
    code = fit_row(facts, _item(tasks=("code-generation",), modality="code"), ["m/text-1", "m/vis-1"])
    assert code["task_fit"] == 0 and code["modality_fit"] == 0.5    # code data: text models fit leniently
    # an unlinked name with known open weights can be obtained; one without cannot
    assert fit_row(facts, _item(), ["slug-a", "slug-b", "paper:m"])["paper_only"] == 2
    out = fit_row(facts, _item(not_covered=True, tasks=()), names)   # not covered: only the rows are counted
    assert out["rows"] == 5 and "task_fit" not in out


def test_induced_order_metrics_agree_with_common_metrics():
    ranked = [f"m{i:02d}" for i in range(14)]                 # the catalog-wide order, best first
    rng = np.random.default_rng(3)
    z1 = rng.normal(size=12)
    truth = pd.DataFrame({"model": ranked[:12] + ["m01", "m05", "zz-unlisted"], "group": [1] * 12 + [2] * 3,
                          "z": list(z1) + [0.3, -1.0, 2.0]})
    res = induced_order_metrics(ranked, truth, k=10)
    pred1 = -np.arange(1, 13, dtype=float)
    pred2 = np.array([-2.0, -6.0, np.nan])                    # the unlisted model ranks below every listed one
    true2 = np.array([0.3, -1.0, 2.0])
    assert res["tau_w"] == pytest.approx((tau_w(z1, pred1) + tau_w(true2, pred2)) / 2)
    assert res["ndcg@10"] == pytest.approx(ndcg_at_k(z1, pred1, 10))      # only groups with > 10 models
    assert res["overlap@10"] == pytest.approx(overlap_at_k(z1, pred1, 10))
    assert (res["groups"], res["groups@10"]) == (2, 1)
    assert res["listed"] == pytest.approx(14 / 15)
    # a worse order scores lower
    assert induced_order_metrics(ranked[::-1], truth, k=10)["tau_w"] != pytest.approx(res["tau_w"])


def _query(**kw):
    base = dict(task="automatic-speech-recognition", metric="wer", domain="speech")
    return SimpleNamespace(**{**base, **kw})


def test_understood_reads_todays_query_with_defaults_and_the_extended_one():
    u = understood(_query())
    assert (u["modality"], u["languages"], u["covered"], u["weak"], u["confident"]) == ("speech", (), True, False,
                                                                                         False)
    assert math.isnan(u["confidence"])
    v = understood(_query(modality="speech", languages=("de",), multilingual=False, confidence=0.93, confident=True,
                          covered=True, weak=False))
    assert v["languages"] == ("de",) and v["confidence"] == 0.93 and v["confident"]
    refused = understood(None)
    assert refused["weak"] and refused["refused"]


def test_judge_applies_each_rule():
    ok = judge(_item(), understood(_query(languages=("de",))))
    assert ok == {"task_ok": True, "modality_ok": True, "language_ok": True, "metric_ok": True, "notice": False}
    wrong = judge(_item(), understood(_query(task="retrieval", metric="ndcg@10", domain="text", languages=("en",))))
    assert not any(wrong[k] for k in ("task_ok", "modality_ok", "language_ok", "metric_ok"))
    assert judge(_item(languages=("multilingual",)), understood(_query(multilingual=True)))["language_ok"]
    assert not judge(_item(languages=("multilingual",)), understood(_query(languages=("en",))))["language_ok"]
    assert judge(_item(languages=()), understood(_query()))["language_ok"] is None
    nc = _item(not_covered=True, tasks=(), metrics=(), modality="tabular")
    assert not judge(nc, understood(_query()))["task_ok"]
    got = judge(nc, understood(_query(covered=False)))
    assert got["task_ok"] and got["notice"] and got["metric_ok"] is None
    gib = _item(gibberish=True, tasks=(), metrics=(), languages=())
    assert judge(gib, understood(_query(weak=True)))["task_ok"]
    assert not judge(gib, understood(_query()))["task_ok"]
    assert judge(gib, understood(_query()))["modality_ok"] is None
