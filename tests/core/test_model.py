import numpy as np
import pytest
import torch

from modellens_core.config import RankerConfig
from modellens_core.data import Corpus
from modellens_core.features import context_features, model_features
from modellens_core.train import load_checkpoint
from modellens_core.vocab import Vocabulary, hash_tokens, name_tokens


def test_unseen_names_map_to_the_trained_unk_row(tiny_checkpoints):
    model, vocab, _ = load_checkpoint(tiny_checkpoints)
    assert vocab.model_idx(["never-seen/model-x"])[0] == 0
    assert vocab.dataset_idx(["a-new-dataset"])[0] == 0 and vocab.task_idx(["new-task"])[0] == 0
    # the [UNK] rows were trained: they moved away from their initialisation scale and differ from
    # an untouched normal(0, 0.05) draw in norm
    unk = model.model_id.weight[0].detach()
    assert torch.isfinite(unk).all() and unk.norm() > 0
    desc = np.random.default_rng(0).normal(size=(1, 384)).astype(np.float32)
    mf = model_features(vocab, ["never-seen/model-x"], desc, [float("nan")], ["nofamily"], model.cfg.name_buckets)
    cf = context_features(vocab, ["a-new-dataset"], desc, ["new-task"], ["new-metric"])
    out = model({k: v[None] for k, v in mf.items()}, cf)
    assert torch.isfinite(out["score"]).all()


def test_unseen_dataset_uses_its_description(tiny_checkpoints):
    model, vocab, _ = load_checkpoint(tiny_checkpoints)
    rng = np.random.default_rng(1)
    desc = rng.normal(size=(2, 384)).astype(np.float32)
    mf = model_features(vocab, vocab.models[1:4], rng.normal(size=(3, 384)).astype(np.float32),
                        [2.0] * 3, ["alpha"] * 3, model.cfg.name_buckets)
    cf = context_features(vocab, ["new-a", "new-b"], desc, ["multiple-choice-qa"] * 2, ["accuracy"] * 2)
    out = model({k: v[None].expand(2, *v.shape) for k, v in mf.items()}, cf)["score"]
    assert not torch.allclose(out[0], out[1])  # same UNK id, different descriptions -> different scores


def test_name_tokens_and_hashing_are_stable():
    assert name_tokens("meta-llama/Llama-2-7b-hf")[:4] == ["org:meta-llama", "llama", "2", "7b"]
    a, b = hash_tokens(["org/x-7b"], 512), hash_tokens(["org/x-7b"], 512)
    assert (a == b).all() and a.max() < 512 and (a[0, :3] > 0).all()


def test_unseen_residual_scale_shrinks_only_unseen_models(tiny_checkpoints):
    import dataclasses
    model, vocab, _ = load_checkpoint(tiny_checkpoints)
    rng = np.random.default_rng(2)
    names = [vocab.models[1], "never-seen/model-x"]
    mf = model_features(vocab, names, rng.normal(size=(2, 384)).astype(np.float32), [2.0, 2.0], ["alpha"] * 2,
                        model.cfg.name_buckets)
    cf = context_features(vocab, ["new-a"], rng.normal(size=(1, 384)).astype(np.float32), ["multiple-choice-qa"],
                          ["accuracy"])
    batch = {k: v[None] for k, v in mf.items()}
    with torch.no_grad():
        full = model(batch, cf)
        model.cfg = dataclasses.replace(model.cfg, unseen_residual_scale=0.0)
        shrunk = model(batch, cf)
    tau = model.tau
    assert torch.allclose(shrunk["score"][0, 0], full["score"][0, 0])                  # seen: unchanged
    assert torch.allclose(shrunk["score"][0, 1], full["prior"][0, 1] / tau)            # unseen: prior only
    with pytest.raises(ValueError):
        dataclasses.replace(model.cfg, unseen_residual_scale=1.5)
