"""Neighbour evidence against a slow, loop-by-loop version on a hand-made corpus."""
import numpy as np
import pandas as pd
import pytest

from modellens_core.ranker.evidence import EVIDENCE_DIM, TASK_SHRINK, NeighbourEvidence, population_shifted_z


@pytest.fixture()
def world():
    datasets = pd.DataFrame({"dataset": ["a", "a2", "b", "c"], "family": ["fa", "fa", "fb", "fc"]})
    emb = np.array([[1, 0, 0], [0.98, 0.2, 0], [0.8, 0.6, 0], [0, 0, 1]], np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    models = pd.DataFrame({"model": ["m0", "m1", "m2", "m3"]})
    train = pd.DataFrame({"model": ["m0", "m1", "m0", "m1", "m2", "m0", "m1", "m2", "m0", "m2"],
                          "dataset": ["a2", "a2", "b", "b", "b", "b", "b", "c", "c", "c"],
                          "subset": ["", "", "fr", "fr", "fr", "de", "de", "", "", "x"],
                          "task": ["qa", "qa", "qa", "qa", "qa", "qa", "qa", "qa", "qa", "ocr"]})
    z = np.array([1.0, -1.0, 0.5, -0.5, 0.0, -2.0, 2.0, 1.0, -1.0, 3.0])
    ev = NeighbourEvidence.build(train, z, models, datasets, emb, ["fr", "de", "x", ""], ["qa", "ocr", "asr"],
                                 k=2, temperature=0.1)
    return ev, train, z, datasets, emb


def slow(ev, train, z, datasets, emb, model, query_row, subset, task):
    """One (model, dataset) pair, the long way round."""
    fam = datasets["family"].tolist()
    names = datasets["dataset"].tolist()
    sims = [(float(emb[query_row] @ emb[d]), d) for d in range(len(datasets))
            if fam[d] != fam[query_row] and (train["dataset"] == names[d]).any()]
    sims = sorted(sims, reverse=True)[:ev.k]
    w = np.exp([(s - sims[0][0]) / ev.temperature for s, _ in sims])
    w /= w.sum()
    out = []
    for want_subset in (True, False):
        num = cov = 0.0
        for wj, (_, d) in zip(w, sims):
            sel = (train["model"] == model) & (train["dataset"] == names[d])
            if want_subset:
                sel &= train["subset"] == subset
            if sel.any() and (subset or not want_subset):
                num, cov = num + wj * z[sel.to_numpy()].mean(), cov + wj
        out += [num / cov if cov else 0.0, cov]
    per_dataset = [z[((train["model"] == model) & (train["dataset"] == names[d]) & (train["task"] == task)).to_numpy()]
                   for d in range(len(datasets)) if fam[d] != fam[query_row]]
    means = [v.mean() for v in per_dataset if len(v)]
    out += [float(np.mean(means)) if means else 0.0, len(means) / (len(means) + TASK_SHRINK)]
    return out + [sims[0][0]]


@pytest.mark.parametrize("subset,task", [("", "qa"), ("fr", "qa"), ("de", "ocr"), ("zz", "asr"), ("", "new")])
def test_pairs_and_catalog_match_the_slow_version(world, subset, task):
    ev, train, z, datasets, emb = world
    groups = pd.DataFrame({"dataset": ["a"] * 4, "subset": [subset] * 4, "task": [task] * 4})
    ctx = ev.for_groups(groups, datasets)
    fast = ev.for_rows(ctx, np.arange(4), np.zeros(4, np.int64))
    cat = ev.catalog(4, ctx["nbr"][0], ctx["w"][0], float(ctx["top"][0]), int(ctx["subset"][0]),
                     int(ctx["task"][0]), int(ctx["family"][0]))
    assert fast.shape == (4, EVIDENCE_DIM)
    np.testing.assert_allclose(fast, cat, atol=1e-6)
    for m in range(4):
        np.testing.assert_allclose(fast[m], slow(ev, train, z, datasets, emb, f"m{m}", 0, subset, task), atol=1e-5)


def test_own_family_is_left_out_and_unscored_models_get_no_evidence(world):
    ev, train, z, datasets, emb = world
    ctx = ev.for_groups(pd.DataFrame({"dataset": ["a"], "subset": [""], "task": ["qa"]}), datasets)
    assert 1 not in ctx["nbr"][0]                      # "a2" is in "a"'s family
    fast = ev.for_rows(ctx, np.arange(4), np.zeros(4, np.int64))
    assert not fast[3, :6].any()                        # m3 has no records
    assert fast[0, 3] == pytest.approx(1.0)             # m0 was scored on both neighbours
    assert fast[0, 5] == pytest.approx(2 / (2 + TASK_SHRINK))   # qa on b and c; a2 is its own family
    # a subset match on the nearest neighbour outweighs the dataset mean there
    fr = ev.for_rows(ev.for_groups(pd.DataFrame({"dataset": ["a"], "subset": ["fr"], "task": ["qa"]}), datasets),
                     np.arange(2), np.zeros(2, np.int64))
    assert fr[0, 0] > fr[1, 0] and fr[0, 1] > 0.9


def test_save_and_load_give_the_same_evidence(world, tmp_path):
    ev, train, z, datasets, emb = world
    ev.save(tmp_path / "evidence.safetensors")
    back = NeighbourEvidence.load(tmp_path / "evidence.safetensors", emb)
    groups = pd.DataFrame({"dataset": ["a", "b"], "subset": ["fr", ""], "task": ["qa", "ocr"]})
    rows, g = np.array([0, 1, 2, 0]), np.array([0, 0, 1, 1])
    np.testing.assert_array_equal(ev.for_rows(ev.for_groups(groups, datasets), rows, g),
                                  back.for_rows(back.for_groups(groups, datasets), rows, g))
    assert NeighbourEvidence.load(tmp_path / "evidence.safetensors", emb[:2]) is None   # another corpus


def test_catalog_rows_are_the_same_rows_of_the_whole_catalog(world):
    ev, train, z, datasets, emb = world
    ctx = ev.for_groups(pd.DataFrame({"dataset": ["a"], "subset": ["fr"], "task": ["qa"]}), datasets)
    args = (ctx["nbr"][0], ctx["w"][0], float(ctx["top"][0]), int(ctx["subset"][0]), int(ctx["task"][0]),
            int(ctx["family"][0]))
    whole = ev.catalog(4, *args)
    for rows in ([2, 0], [3], [1, 2, 3, 0]):
        np.testing.assert_array_equal(ev.catalog(4, *args, rows=np.array(rows)), whole[rows])


def test_population_shift_matches_the_slow_version_and_lowers_a_weak_field():
    rec = pd.DataFrame({"model": ["s", "w", "m", "s", "w", "m", "w", "m"],
                        "dataset": ["d1", "d1", "d1", "d2", "d2", "d2", "d3", "d3"],
                        "group": [0, 0, 0, 1, 1, 1, 2, 2]})
    z = np.array([1.2, -1.0, -0.2, 1.0, -1.2, 0.2, -1.0, 1.0])
    out = population_shifted_z(rec, z, 1.0)
    quality = {m: np.mean([z[(rec.model == m).to_numpy() & (rec.dataset == d).to_numpy()].mean()
                           for d in rec.dataset[rec.model == m].unique()]) for m in rec.model.unique()}
    for i in range(len(rec)):
        field = np.mean([quality[m] for m in rec.model[rec.group == rec.group[i]]])
        assert out[i] == pytest.approx(z[i] + field, abs=1e-6)
    # "m" tops group 2 only because the strong "s" was never run there: its shifted z there is lower
    assert out[7] - z[7] < 0 and out[7] < 1.0
    np.testing.assert_array_equal(population_shifted_z(rec, z, 0.0), z.astype(np.float32))
