"""MetaRank estimator selector: evidence from the source tables, leave-one-out hygiene, ranking
output, determinism, JSON round-trip, and that the interaction term can learn a dataset effect."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from modellens_core.common.paths import ASSETS
from modellens_core.common.metrics import tau_w
from modellens_core.transfer import metarank
from modellens_core.transfer.descriptions import ESTIMATORS, dataset_key
from modellens_core.transfer.metarank import (
    ASSET, FitConfig, MetricSelector, leave_one_dataset_out, load_evidence, load_selector, loo_splits,
)

DIM = 16


class HashEncoder:
    """Deterministic stand-in for the text encoder: bag of hashed words, L2-normalised."""

    def encode(self, texts):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in str(t).lower().split():
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def write_sources(root, rng):
    """The two source tables in their native format, with the source's differing spellings."""
    models = ["resnet50", "resnet101", "densenet121", "googlenet", "mobilenet_v2"]
    acc, scores = [], []
    for ds_acc, ds_scores in (("aircraft", "Aircraft"), ("pets", "Pet"), ("cifar10", "CIFAR10")):
        a = rng.uniform(60, 95, len(models))
        acc += [{"dataset": ds_acc, "model": m, "finetune_top1": round(v, 2)} for m, v in zip(models, a)]
        for j, m in enumerate(models):
            scores.append({"Dataset": ds_scores, "Model": m, "LogME": a[j] / 100,           # perfect order
                           "LEEP": -a[j], "NCE": rng.normal(), "H-Score": float(j)})
    acc.append({"dataset": "flowers", "model": "resnet50", "finetune_top1": 90.0})      # no scores: dropped
    pd.DataFrame(acc).to_csv(root / metarank.ACC_FILE, index=False)
    pd.DataFrame(scores).to_csv(root / metarank.SCORES_FILE, index=False)


def test_load_evidence_joins_spellings_and_computes_tau_w(tmp_path):
    write_sources(tmp_path, np.random.default_rng(0))
    ev = load_evidence(tmp_path)
    assert list(ev.index) == ["aircraft", "cifar10", "pets"]              # 'Pet' joined to 'pets'
    assert list(ev.columns) == ["h_score", "leep", "logme", "nce"]              # SOURCE_COLUMNS order
    assert np.allclose(ev["logme"], 1.0) and np.allclose(ev["leep"], -1.0)
    acc = pd.read_csv(tmp_path / metarank.ACC_FILE).query("dataset == 'pets'")["finetune_top1"].to_numpy()
    assert ev.loc["pets", "h_score"] == pytest.approx(tau_w(acc, np.arange(5.0)))
    assert ev.attrs["n_models"] == {"aircraft": 5, "cifar10": 5, "pets": 5}
    assert dataset_key("CIFAR-10") == "cifar10" and dataset_key("Oxford Pets") == "pets"


def test_load_evidence_refuses_unknown_estimator_column(tmp_path):
    write_sources(tmp_path, np.random.default_rng(0))
    df = pd.read_csv(tmp_path / metarank.SCORES_FILE).assign(Mystery=1.0)
    df.to_csv(tmp_path / metarank.SCORES_FILE, index=False)
    with pytest.raises(ValueError, match="Mystery"):
        load_evidence(tmp_path)


def synthetic_problem(seed=0, n=8):
    """Two kinds of dataset (embedding near direction a or b); estimator 'nleep' is best on the
    first kind, 'pactran' on the second; the others are mediocre everywhere."""
    rng = np.random.default_rng(seed)
    a, b = np.eye(DIM)[0], np.eye(DIM)[1]
    kinds = np.arange(n) % 2
    ds = np.vstack([(a if k == 0 else b) + 0.1 * rng.normal(size=DIM) for k in kinds])
    ests = ["nleep", "pactran", "logme", "leep", "gbc"]
    es = rng.normal(size=(len(ests), DIM))
    tau = rng.uniform(0.1, 0.4, size=(n, len(ests)))
    tau[kinds == 0, 0], tau[kinds == 1, 1] = 0.9, 0.9
    ev = pd.DataFrame(tau, index=[f"ds{i}" for i in range(n)], columns=ests)
    return ev, ds, es, a, b


def test_loo_splits_never_train_on_the_held_out_dataset():
    names = ["aircraft", "cars", "dtd", "pets"]
    folds = loo_splits(names)
    assert [held for held, _ in folds] == names
    for held, train in folds:
        assert held not in train and sorted(train + [held]) == sorted(names)


def test_leave_one_out_fits_without_the_held_out_evidence(monkeypatch):
    ev, ds, es, *_ = synthetic_problem()
    seen = []
    real_fit = MetricSelector.fit.__func__

    def spy(cls, evidence, dataset_emb, estimator_emb, config=None):
        seen.append(list(evidence.index))
        return real_fit(cls, evidence, dataset_emb, estimator_emb, FitConfig(steps=30))

    monkeypatch.setattr(MetricSelector, "fit", classmethod(spy))
    out = leave_one_dataset_out(ev, ds, es)
    assert len(seen) == len(ev) == len(out)
    for held, train in zip(out["dataset"], seen):
        assert held not in train and len(train) == len(ev) - 1
    assert (out["oracle_tau_w"] >= out["metarank_tau_w"]).all() and (out["metarank_regret"] >= 0).all()


def test_selector_ranks_all_estimators_and_learns_the_dataset_effect():
    ev, ds, es, a, b = synthetic_problem()
    sel = MetricSelector.fit(ev, ds, es)
    ranked_a, ranked_b = sel.rank_embedding(a), sel.rank_embedding(b)
    for r in (ranked_a, ranked_b):
        assert sorted(r["estimator"]) == sorted(ev.columns) and r["rank"].tolist() == list(range(1, 6))
        assert r["score"].sum() == pytest.approx(1.0) and r["score"].is_monotonic_decreasing
    assert ranked_a["estimator"].iloc[0] == "nleep" and ranked_b["estimator"].iloc[0] == "pactran"
    # without the interaction term the selector cannot tell the two kinds apart
    flat = MetricSelector.fit(ev, ds, es, FitConfig(rank=0))
    assert flat.rank_embedding(a)["estimator"].tolist() == flat.rank_embedding(b)["estimator"].tolist()


def test_fit_is_deterministic_and_survives_json():
    ev, ds, es, a, _ = synthetic_problem()
    s1, s2 = MetricSelector.fit(ev, ds, es), MetricSelector.fit(ev, ds, es)
    for k in ("w", "P", "Q", "center"):
        assert np.array_equal(getattr(s1, k), getattr(s2, k))
    back = MetricSelector.from_json(json.loads(json.dumps(s1.to_json())))   # plain JSON, no numpy objects
    assert np.allclose(back.logits(a), s1.logits(a), atol=1e-5)
    assert back.evidence.round(6).equals(s1.evidence.round(6))
    with pytest.raises(ValueError, match="dimension"):
        s1.logits(np.ones(DIM + 1))


def test_shipped_selector_ranks_every_published_estimator():
    path = ASSETS / ASSET
    sel = load_selector(path)
    assert set(sel.estimators) == {"h_score", "leep", "logme", "nce", "nleep", "otce", "pactran", "gbc", "lfc"}
    assert sel.evidence.shape == (8, 9) and set(sel.estimators) <= set(ESTIMATORS)
    assert np.isfinite(sel.evidence.to_numpy()).all() and (sel.evidence.abs() <= 1).all().all()
    assert sel.validation is not None and len(sel.validation) == 8
    enc = HashEncoder()
    r1 = sel.rank("Photos of bird species; fine-grained classification.", enc)
    r2 = sel.rank("Photos of bird species; fine-grained classification.", enc)
    assert r1.equals(r2) and sorted(r1["estimator"]) == sorted(sel.estimators)
    assert len(r1.attrs["neighbours"]) == 3 and r1.attrs["neighbours"][0][0] in sel.evidence.index
