import numpy as np
import pytest
import torch

from modellens_core.ranker.evidence import EVIDENCE_DIM
from modellens_core.ranker.features import context_features, model_features
from modellens_core.ranker.checkpoint import Checkpoint
from modellens_core.ranker.vocab import Vocabulary, hash_tokens, name_tokens


def no_evidence(b: int, n: int) -> torch.Tensor:
    """[b, n, EVIDENCE_DIM] zeros: no known dataset near the context."""
    return torch.zeros((b, n, EVIDENCE_DIM))


def test_unseen_names_map_to_the_trained_unk_row(tiny_checkpoints):
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    assert vocab.model_idx(["never-seen/model-x"])[0] == 0
    assert vocab.dataset_idx(["a-new-dataset"])[0] == 0 and vocab.task_idx(["new-task"])[0] == 0
    # the [UNK] rows were trained: they moved away from their initialisation scale and differ from
    # an untouched normal(0, 0.05) draw in norm
    unk = model.model_id.weight[0].detach()
    assert torch.isfinite(unk).all() and unk.norm() > 0
    desc = np.random.default_rng(0).normal(size=(1, 384)).astype(np.float32)
    mf = model_features(vocab, ["never-seen/model-x"], desc, [float("nan")], ["nofamily"], model.cfg.name_buckets)
    cf = context_features(vocab, ["a-new-dataset"], desc, ["new-task"], ["new-metric"])
    out = model({k: v[None] for k, v in mf.items()}, cf, no_evidence(1, 1))
    assert torch.isfinite(out["score"]).all()


def test_unseen_dataset_uses_its_description(tiny_checkpoints):
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    rng = np.random.default_rng(1)
    desc = rng.normal(size=(2, 384)).astype(np.float32)
    mf = model_features(vocab, vocab.models[1:4], rng.normal(size=(3, 384)).astype(np.float32),
                        [2.0] * 3, ["alpha"] * 3, model.cfg.name_buckets)
    cf = context_features(vocab, ["new-a", "new-b"], desc, ["multiple-choice-qa"] * 2, ["accuracy"] * 2)
    out = model({k: v[None].expand(2, *v.shape) for k, v in mf.items()}, cf, no_evidence(2, 3))["score"]
    assert not torch.allclose(out[0], out[1])  # same UNK id, different descriptions -> different scores


def test_name_tokens_and_hashing_are_stable():
    assert name_tokens("meta-llama/Llama-2-7b-hf")[:4] == ["org:meta-llama", "llama", "2", "7b"]
    a, b = hash_tokens(["org/x-7b"], 512), hash_tokens(["org/x-7b"], 512)
    assert (a == b).all() and a.max() < 512 and (a[0, :3] > 0).all()


def test_a_saved_name_token_table_is_used_only_for_the_catalog_it_was_made_for(tmp_path):
    from modellens_core.ranker.vocab import catalog_name_tokens, save_name_tokens
    names = ["org/x-7b", "meta-llama/Llama-2-7b-hf", "bert-base-uncased"]
    save_name_tokens(tmp_path / "t.safetensors", names, 512)
    np.testing.assert_array_equal(catalog_name_tokens(tmp_path / "t.safetensors", names, 512), hash_tokens(names, 512))
    other = names[:2] + ["my-lab/new-cnn"]              # another catalog, or other buckets: hashed afresh
    np.testing.assert_array_equal(catalog_name_tokens(tmp_path / "t.safetensors", other, 512), hash_tokens(other, 512))
    np.testing.assert_array_equal(catalog_name_tokens(tmp_path / "t.safetensors", names, 256), hash_tokens(names, 256))
    np.testing.assert_array_equal(catalog_name_tokens(tmp_path / "missing", names, 512), hash_tokens(names, 512))


def test_unseen_residual_scale_shrinks_only_unseen_models(tiny_checkpoints):
    import dataclasses
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    rng = np.random.default_rng(2)
    names = [vocab.models[1], "never-seen/model-x"]
    mf = model_features(vocab, names, rng.normal(size=(2, 384)).astype(np.float32), [2.0, 2.0], ["alpha"] * 2,
                        model.cfg.name_buckets)
    cf = context_features(vocab, ["new-a"], rng.normal(size=(1, 384)).astype(np.float32), ["multiple-choice-qa"],
                          ["accuracy"])
    batch = {k: v[None] for k, v in mf.items()}
    with torch.no_grad():
        full = model(batch, cf, no_evidence(1, 2))
        model.cfg = dataclasses.replace(model.cfg, unseen_residual_scale=0.0)
        shrunk = model(batch, cf, no_evidence(1, 2))
    tau = model.tau
    assert torch.allclose(shrunk["score"][0, 0], full["score"][0, 0])                  # seen: unchanged
    assert torch.allclose(shrunk["score"][0, 1], full["prior"][0, 1] / tau)            # unseen: prior only
    with pytest.raises(ValueError):
        dataclasses.replace(model.cfg, unseen_residual_scale=1.5)


def test_subset_tokens_share_language_codes_across_spellings():
    from modellens_core.ranker.vocab import subset_tokens
    assert subset_tokens("hin_Deva-eng_Latn") == ["hin", "deva", "hin_deva", "eng", "latn", "eng_latn"]
    assert subset_tokens("fr") == ["fra"] and subset_tokens("fra-Latn")[:1] == ["fra"]
    assert subset_tokens("") == []


def test_a_known_subset_changes_the_context_and_unknown_tokens_are_left_out(tiny_checkpoints):
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    vocab = Vocabulary(vocab.models, vocab.datasets, vocab.tasks, vocab.metrics, vocab.families,
                       ["[UNK]", "eng", "fra"])
    assert vocab.subset_idx(["fr", "zzz_Qqqq", ""]).tolist()[0][:1] == [2]
    assert not vocab.subset_idx(["zzz_Qqqq", ""]).any()           # unknown tokens: nothing, never an untrained row
    model.subset = torch.nn.EmbeddingBag(3, model.cfg.meta_dim, mode="mean", padding_idx=0)
    torch.nn.init.normal_(model.subset.weight)
    desc = np.random.default_rng(3).normal(size=(1, 384)).astype(np.float32)
    views = {s: model.context_view(context_features(vocab, ["new-a"], desc, ["multiple-choice-qa"], ["accuracy"], [s]))
             for s in ("", "eng_Latn", "fra", "zzz_Qqqq")}
    assert not torch.allclose(views["eng_Latn"], views["fra"])
    assert torch.equal(views["zzz_Qqqq"], views[""])               # all-unknown = no subset given
    assert torch.equal(views[""], model.context_view(context_features(vocab, ["new-a"], desc, ["multiple-choice-qa"],
                                                                      ["accuracy"])))


def two_models_one_context(model, vocab, seed: int):
    """A [1, 2] batch of two known models and one new dataset's context."""
    rng = np.random.default_rng(seed)
    mf = model_features(vocab, vocab.models[1:3], rng.normal(size=(2, 384)).astype(np.float32), [2.0, 2.0],
                        ["alpha"] * 2, model.cfg.name_buckets)
    cf = context_features(vocab, ["new-a"], rng.normal(size=(1, 384)).astype(np.float32), ["multiple-choice-qa"],
                          ["accuracy"])
    return {k: v[None] for k, v in mf.items()}, cf


def test_the_evidence_input_moves_the_residual_only(tiny_checkpoints):
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    batch, cf = two_models_one_context(model, vocab, seed=4)
    strong = no_evidence(1, 2)
    strong[0, 0] = torch.tensor([1.5, 0.9, 1.2, 0.8, 1.0, 0.7, 0.9])   # model 0 scored well near the context
    with torch.no_grad():
        a, b = model(batch, cf, no_evidence(1, 2)), model(batch, cf, strong)
    assert torch.equal(a["prior"], b["prior"])
    assert not torch.allclose(a["residual"][0, 0], b["residual"][0, 0])
    assert torch.allclose(a["residual"][0, 1], b["residual"][0, 1])      # the other model's evidence did not change


def test_training_id_dropout_also_hides_the_evidence(tiny_checkpoints):
    """A model made to look unseen in training has neither its ID nor records (hence no evidence)."""
    import dataclasses
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    model.cfg = dataclasses.replace(model.cfg, model_id_dropout=0.999999, dropout=0.0, subset_dropout=0.0)
    model.rest = torch.nn.Sequential(*[m for m in model.rest if not isinstance(m, torch.nn.Dropout)])
    batch, cf = two_models_one_context(model, vocab, seed=5)
    strong = no_evidence(1, 2)
    strong[..., :-1] = 1.0
    model.train()
    outs = []
    for ev in (no_evidence(1, 2), strong):
        torch.manual_seed(0)
        outs.append(model(batch, cf, ev)["residual"])
    assert torch.allclose(outs[0], outs[1])
    model.cfg = dataclasses.replace(model.cfg, model_id_dropout=0.0)
    torch.manual_seed(0)
    assert not torch.allclose(model(batch, cf, strong)["residual"], outs[0])


def test_description_noise_is_for_training_contexts_only(tiny_checkpoints):
    import dataclasses
    model, vocab, _ = Checkpoint(tiny_checkpoints).load()
    _, cf = two_models_one_context(model, vocab, seed=6)
    model.cfg = dataclasses.replace(model.cfg, desc_noise=0.15, id_dropout=0.0, dataset_id_dropout=0.0)
    model.eval()
    assert torch.equal(model.context_view(cf), model.context_view(cf))
    model.train()
    torch.manual_seed(0)
    noisy = model.context_view(cf)
    assert not torch.allclose(noisy, model.context_view(cf))
    model.cfg = dataclasses.replace(model.cfg, desc_noise=0.0)
    model.eval()
    clean = model.context_view(cf)
    model.train()
    assert torch.allclose(model.context_view(cf), clean)


def test_heads_give_the_same_residual_for_one_shared_or_per_row_contexts(tiny_checkpoints):
    """heads() takes a matrix-vector product when each batch row has one context ([B, 1, c]) and an
    elementwise product otherwise: both must give the same residual and z."""
    model, _, _ = Checkpoint(tiny_checkpoints).load()
    g = torch.Generator().manual_seed(0)
    B, L, h0 = 3, 5, model.first_m.out_features
    c = model.cross_m.out_features
    first_m, cross_m = torch.randn(B, L, h0, generator=g), torch.randn(B, L, c, generator=g)
    first_c, cross_c = torch.randn(B, 1, h0, generator=g), torch.randn(B, 1, c, generator=g)
    ev = torch.rand(B, L, EVIDENCE_DIM, generator=g)
    with torch.no_grad():
        shared = model.heads(first_m, cross_m, first_c, cross_c, ev)
        per_row = model.heads(first_m, cross_m, first_c.expand(B, L, h0), cross_c.expand(B, L, c), ev)
    for a, b in zip(shared, per_row):
        assert a.shape == (B, L)
        assert torch.allclose(a, b, atol=1e-5)
    assert not torch.allclose(shared[0], shared[1])   # residual and z are different heads
