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
