"""What the checkpoint's prior learned: shapes, finiteness, and the family effect definition."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from modellens_core.build.catalog import SIZE_BUCKET_LABELS, SIZE_BUCKET_TYPICAL_B
from modellens_core.ranker.features import size_features
from modellens_core.build.corpus import Corpus
from modellens_core.serving.priors import KNOWN_SIZES, build_priors, family_heatmap, size_curve, trained_domains
from modellens_core.common.tasks import DOMAINS
from modellens_core.ranker.checkpoint import Checkpoint
from modellens_core.ranker.vocab import UNK


@pytest.fixture(scope="module")
def ranker(tiny_checkpoints):
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    return model, vocab


def test_size_curve_covers_every_domain_and_bucket(ranker):
    model, _ = ranker
    c = size_curve(model)
    assert list(c.columns) == ["domain", "size_bucket", "prior"]
    assert len(c) == len(DOMAINS) * len(SIZE_BUCKET_LABELS)
    assert not c.duplicated(["domain", "size_bucket"]).any()
    assert np.isfinite(c["prior"]).all()
    with torch.no_grad():  # one cell against a direct call with the [UNK] family
        b = SIZE_BUCKET_LABELS.index("3-8B")
        want = model.prior(torch.tensor([b]), torch.tensor([0]), torch.tensor([DOMAINS.index("speech")]),
                           torch.from_numpy(size_features([SIZE_BUCKET_TYPICAL_B[b]]))).item()
    got = c[(c["domain"] == "speech") & (c["size_bucket"] == "3-8B")]["prior"].item()
    assert got == pytest.approx(want, abs=1e-6)


def test_family_heatmap_rows_are_the_vocab_families_by_catalog_count(ranker, synthetic_assets):
    model, vocab = ranker
    cat = Corpus(synthetic_assets).models
    h = family_heatmap(model, vocab, cat)
    fams = [f for f in vocab.families if f != UNK]
    assert sorted(h.index) == sorted(fams) and list(h.columns) == list(DOMAINS)
    counts = [int((cat["family"].str.lower() == f).sum()) for f in h.index]
    assert counts == sorted(counts, reverse=True)
    assert np.isfinite(h.to_numpy()).all() and np.abs(h.to_numpy()).max() > 0
    assert list(family_heatmap(model, vocab, cat, top=2).index) == list(h.index[:2])
    f, d = h.index[0], "text"
    with torch.no_grad():
        known = torch.tensor([SIZE_BUCKET_LABELS.index(s) for s in KNOWN_SIZES])
        fam = torch.full_like(known, int(vocab.family_idx([f])[0]))
        dom = torch.full_like(known, DOMAINS.index(d))
        logp = torch.from_numpy(size_features([SIZE_BUCKET_TYPICAL_B[i] for i in known.tolist()]))
        want = (model.prior(known, fam, dom, logp) - model.prior(known, torch.zeros_like(known), dom, logp)).mean().item()
    assert h.loc[f, d] == pytest.approx(want, abs=1e-6)


def test_trained_domains_and_json(ranker, tiny_checkpoints, tmp_path):
    _, vocab = ranker
    assert trained_domains(vocab) == ["text", "vision", "speech"]
    data = build_priors(tiny_checkpoints, tmp_path / "priors.json")
    assert json.loads((tmp_path / "priors.json").read_text()) == data
    assert len(data["size_curve"]) == len(DOMAINS) * len(SIZE_BUCKET_LABELS)
    assert np.array(data["family_heatmap"]["effect"]).shape == (len(vocab.families) - 1, len(DOMAINS))


def test_junk_family_rule():
    from modellens_core.serving.priors import is_junk_family
    for junk in ("test", "Test", "", "  ", None, float("nan"), "other", "unknown", "my", "exp", "dummy", "1",
                 "123abc", "testpyramidsrnd", "tmp-model", "en", "frozenlake", "ppo", "x", "---"):
        assert is_junk_family(junk), junk
    for real in ("bert", "llama", "t5", "yi", "e5", "wav2vec2", "xlm-roberta", "vit", "swin", "opus", "mistral"):
        assert not is_junk_family(real), real


def test_family_support_counts_modality_and_records():
    import pandas as pd
    from modellens_core.serving.priors import family_support
    models = pd.DataFrame({"model": ["a/x1", "a/x2", "b/y1", "c/z"], "family": ["X", "x", "y", "z"],
                           "modality": ["text", "text", "vision", "text"]})
    records = pd.DataFrame({"model": ["a/x1", "a/x1", "c/z"],
                            "task": ["automatic-speech-recognition", "automatic-speech-recognition",
                                     "text-classification"]})
    s = family_support(models, records)
    assert list(s.columns) == list(DOMAINS)
    assert s.loc["x", "text"] == 2 and s.loc["x", "speech"] == 1      # one model counted once per domain
    assert s.loc["y", "vision"] == 1 and s.loc["y", "text"] == 0 and s.loc["z", "text"] == 1


def test_family_effects_hide_low_support_cells_and_junk(synthetic_assets, tiny_checkpoints):
    from modellens_core.serving.priors import family_effects
    from modellens_core.serving.recommender import Recommender
    rec = Recommender.load(synthetic_assets, tiny_checkpoints)
    v = family_effects(rec, top=30, min_support=10)
    eff, sup, sd = v["effect"], v["support"], v["in_sd"]
    assert list(eff.columns) == trained_domains(rec.vocab) and eff.shape == sup.shape == sd.shape
    assert len(eff) and not any(f in ("test", "other", "") for f in eff.index)
    shown = eff.notna().to_numpy()
    assert (sup.to_numpy()[shown] >= 10).all() and (sup.to_numpy()[~shown] < 10).all()
    assert shown.any(axis=1).all()                                      # every family row has a cell
    assert not eff.loc["whisp", ["text", "vision"]].notna().any()       # no text/vision whisp models
    assert eff.loc["whisp", "speech"] == pytest.approx(
        family_heatmap(rec.model, rec.vocab, rec.catalog).loc["whisp", "speech"])
    ratio = (eff / sd).stack().dropna()                                  # in_sd = effect / catalog prior SD
    spread = np.asarray(rec.side.prior, dtype=np.float64)[:, DOMAINS.index("speech")].std()
    assert sd.loc["whisp", "speech"] == pytest.approx(eff.loc["whisp", "speech"] / spread)
    assert len(ratio) == shown.sum()
    strict = family_effects(rec, top=30, min_support=10**6)
    assert strict["effect"].empty
    assert len(family_effects(rec, top=2)["effect"]) == 2
