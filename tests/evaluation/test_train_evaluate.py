import json

import numpy as np
import torch

from modellens_core.ranker.config import RankerConfig
from modellens_core.build.corpus import Corpus
from modellens_core.evaluation.harness import EVAL_SETTINGS, evaluate_setting
from tests.conftest import TINY


def test_training_is_seeded_and_deterministic(synthetic_assets):
    from modellens_core.ranker.train import train
    corpus = Corpus(synthetic_assets)
    cfg = RankerConfig(setting="completion", **{**TINY, "epochs": 2})
    m1, _, s1 = train(corpus, cfg, progress=False)
    m2, _, s2 = train(corpus, cfg, progress=False)
    for (k, a), b in zip(m1.state_dict().items(), m2.state_dict().values()):
        assert torch.equal(a, b), k
    assert s1["history"] == s2["history"]


def test_tiny_train_then_evaluate_every_setting(synthetic_assets, tiny_checkpoints):
    corpus = Corpus(synthetic_assets)
    meta = json.loads((tiny_checkpoints / "config.json").read_text())
    assert meta["config"]["setting"] == "production" and meta["training"]["epochs_run"] >= 1
    res = evaluate_setting(corpus, "completion", tiny_checkpoints, log=lambda *_: None)
    assert {"modellens", "random", "global-quality", "matrix-factorization"} <= set(res)
    for method, m in res.items():
        assert m["groups"] > 0 and -1 <= m["tau_w"] <= 1, method
        assert 0 <= m["ndcg@10_random"] <= 1 and 0 <= m["ndcg@10"] <= 1, method
    # the synthetic world has a latent quality: the ranker must beat random clearly
    assert res["modellens"]["tau_w"] > res["random"]["tau_w"] + 0.2
    for setting in EVAL_SETTINGS[1:]:
        out = evaluate_setting(corpus, setting, tiny_checkpoints, baselines=False, log=lambda *_: None)
        assert np.isfinite(out["modellens"]["tau_w"]) or out["modellens"]["groups"] == 0


def test_group_sampling_weights_share_each_datasets_total():
    import pandas as pd
    from modellens_core.ranker.train import group_sampling_weights
    ds = pd.Series(["a"] * 4 + ["b"])                       # dataset a has 4 groups, b has 1
    for power, total_a in ((0.0, 1.0), (0.5, 2.0), (1.0, 4.0)):
        w = group_sampling_weights(ds, power)
        assert np.isclose(w.sum(), 1.0)
        assert np.allclose(w[:4], w[0])                     # a's groups share its total equally
        assert np.isclose(w[:4].sum() / w[4], total_a)      # a: 4 ** power against b: 1
