"""Baselines on a small synthetic world: 30 models (latent quality + family effect + per-task-cluster
taste), 12 datasets whose description embeddings cluster by task."""
import numpy as np
import pandas as pd
import pytest

from modellens_core.evaluation.baselines import (
    ALL_BASELINES, DescriptionKNNBaseline, EvalContext, GlobalQualityBaseline,
    MatrixFactorizationBaseline, PopularityBaseline, RandomBaseline, SizeBaseline, TwoTowerBaseline,
    fill_by_cells, make_baselines,
)
from modellens_core.common.metrics import evaluate_groups, tau_w

N_MODELS, N_DATASETS, D = 30, 12, 16


def _unit(x):
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def make_world(seed=0, quality_scale=1.0, taste_scale=1.0):
    """Returns (ctx, full table of every (model, dataset) z, taste [n_models, 3 clusters])."""
    rng = np.random.default_rng(seed)
    fam = np.array(["llama", "qwen", "bert"])[np.arange(N_MODELS) % 3]
    models = pd.DataFrame({
        "params_b": np.where(np.arange(N_MODELS) % 5 == 0, np.nan, np.arange(1, N_MODELS + 1, dtype=float)),
        "family": fam,
        "popularity": np.where(np.arange(N_MODELS) % 4 == 0, np.nan, np.arange(N_MODELS, dtype=float) * 10),
        "size_bucket": np.where(np.arange(N_MODELS) < 15, "small", "large"),
    }, index=[f"org/model-{i}" for i in range(N_MODELS)])
    cluster = np.arange(N_DATASETS) % 3
    datasets = pd.DataFrame({"family": [f"d{i}" for i in range(N_DATASETS)], "task": cluster.astype(str),
                             "domain": "text"}, index=[f"ds-{i}" for i in range(N_DATASETS)])
    centres = rng.normal(size=(3, D)) * 3
    ctx = EvalContext(models, datasets, _unit(centres[cluster] + rng.normal(size=(N_DATASETS, D))),
                      _unit(rng.normal(size=(N_MODELS, D))))
    quality = rng.normal(size=N_MODELS) + pd.Series(fam).map({"llama": 1.0, "qwen": 0.0, "bert": -1.0}).to_numpy()
    taste = rng.normal(size=(N_MODELS, 3))
    raw = quality_scale * quality[:, None] + taste_scale * taste[:, cluster] + 0.1 * rng.normal(size=(N_MODELS, N_DATASETS))
    z = (raw - raw.mean(0)) / raw.std(0)  # within-group z, one group per dataset
    mi, di = np.meshgrid(np.arange(N_MODELS), np.arange(N_DATASETS), indexing="ij")
    table = pd.DataFrame({"model": models.index[mi.ravel()], "dataset": datasets.index[di.ravel()],
                          "task": "t", "metric": "accuracy", "z": z.ravel()})
    table["group"] = table["dataset"] + "/accuracy"
    return ctx, table, taste


def test_every_baseline_returns_finite_scores_of_the_right_length():
    ctx, table, _ = make_world()
    train = table[(table["dataset"] != "ds-11") & (table["model"] != "org/model-29")]
    query = pd.concat([table[table["dataset"].isin(["ds-10", "ds-11"])],
                       pd.DataFrame({"model": ["not/in-catalog"], "dataset": ["ds-11"], "task": "t",
                                     "metric": "accuracy", "group": "ds-11/accuracy"})], ignore_index=True)
    assert len(make_baselines(0)) == len(ALL_BASELINES) == 7
    for b in make_baselines(0):
        s = b.fit(train, ctx).score(query.drop(columns="z"), ctx)
        assert s.shape == (len(query),) and np.isfinite(s).all(), b.name


def test_size_and_popularity_semantics():
    ctx, table, _ = make_world()
    q = pd.DataFrame({"model": ["org/model-0", "org/model-1", "org/model-29", "org/model-6"]})
    s = SizeBaseline().score(q, ctx)
    known = ctx.models["params_b"].dropna()
    assert s[0] == pytest.approx(np.median(np.log(known)))  # model-0 size unknown -> median
    assert s[2] > s[3] > s[1]
    p = PopularityBaseline().score(q, ctx)
    assert p[0] < p[1] < p[3] < p[2]  # model-0 popularity unknown -> lowest


def test_global_quality_ranks_a_clearly_better_model_first_and_fills_unseen():
    ctx, table, _ = make_world()
    table.loc[table["model"] == "org/model-7", "z"] += 5.0
    train = table[table["model"] != "org/model-28"]  # model-28: unseen, family qwen, bucket large
    gq = GlobalQualityBaseline().fit(train, ctx)
    s = gq.score(table[table["dataset"] == "ds-0"], ctx)
    assert table[table["dataset"] == "ds-0"]["model"].iloc[int(np.argmax(s))] == "org/model-7"
    per_model = train.groupby("model")["z"].mean()
    cell = [m for m in per_model.index if ctx.models.loc[m, "family"] == "qwen" and ctx.models.loc[m, "size_bucket"] == "large"]
    assert gq.score(pd.DataFrame({"model": ["org/model-28"]}), ctx)[0] == pytest.approx(per_model[cell].mean())


def test_fill_by_cells_hierarchy():
    models = pd.DataFrame({"family": ["a", "a", "a", "b", "c"], "size_bucket": ["s", "s", "l", "s", "s"]})
    out = fill_by_cells(np.array([1.0, np.nan, 3.0, np.nan, 5.0]), models)
    assert out.tolist() == [1.0, 1.0, 3.0, 0.0, 5.0]  # cell mean, then (no family data) 0
    out = fill_by_cells(np.array([1.0, 3.0, np.nan, 2.0, 2.0]), models)
    assert out[2] == 2.0  # empty cell -> family mean


def test_description_knn_uses_neighbouring_datasets():
    ctx, table, taste = make_world(quality_scale=0.0, taste_scale=1.0)  # rankings differ by cluster only
    new = "ds-9"  # cluster 0, held out entirely
    knn = DescriptionKNNBaseline(k=3).fit(table[table["dataset"] != new], ctx)
    s = knn.score(table[table["dataset"] == new], ctx)
    assert tau_w(taste[:, 0], s) > 0.8
    assert tau_w(taste[:, 0], s) > max(tau_w(taste[:, 1], s), tau_w(taste[:, 2], s)) + 0.4


def test_matrix_factorization_recovers_planted_low_rank():
    ctx, table, _ = make_world(seed=3, quality_scale=0.5, taste_scale=1.0)
    rng = np.random.default_rng(0)
    held = rng.random(len(table)) < 0.3
    train, test = table[~held], table[held].copy()
    mf = MatrixFactorizationBaseline(dim=4, epochs=20, reg=1.0, seed=0).fit(train, ctx)
    test["pred"] = mf.score(test, ctx)
    test["rand"] = RandomBaseline(seed=0).score(test, ctx)
    got, rnd = evaluate_groups(test, k=3)["tau_w"], evaluate_groups(test, "rand", k=3)["tau_w"]
    assert got > 0.6 and got > rnd + 0.5


def test_matrix_factorization_cold_start_dataset_uses_neighbours():
    ctx, table, taste = make_world(quality_scale=0.0, taste_scale=1.0)
    mf = MatrixFactorizationBaseline(dim=4, epochs=20, seed=0).fit(table[table["dataset"] != "ds-9"], ctx)
    assert tau_w(taste[:, 0], mf.score(table[table["dataset"] == "ds-9"], ctx)) > 0.6


def test_two_tower_learns_from_embeddings():
    ctx, table, _ = make_world()
    good = np.arange(N_MODELS) < 15  # model embedding encodes which half a model belongs to
    ctx.model_emb = _unit(np.where(good[:, None], 1.0, -1.0) * np.eye(D)[0] + 0.3 * ctx.model_emb)
    cluster0 = table["dataset"].map(lambda d: int(d.split("-")[1]) % 3 == 0).to_numpy()
    is_good = table["model"].map(lambda m: int(m.split("-")[1]) < 15).to_numpy()
    table["z"] = np.where(is_good == cluster0, 1.0, -1.0)  # good models win on cluster 0, lose elsewhere
    tt = TwoTowerBaseline(dim=8, epochs=100, batch_size=len(table), lr=3e-2, seed=0).fit(table, ctx)
    table["pred"] = tt.score(table, ctx)
    for _, g in table.groupby("dataset"):  # every winner scored above every loser
        assert g.loc[g["z"] > 0, "pred"].min() > g.loc[g["z"] < 0, "pred"].max()


@pytest.mark.parametrize("cls", [RandomBaseline, MatrixFactorizationBaseline, TwoTowerBaseline])
def test_seeded_baselines_are_deterministic(cls):
    ctx, table, _ = make_world()
    train, query = table[table["dataset"] != "ds-0"], table[table["dataset"] == "ds-0"]
    a = cls(seed=1).fit(train, ctx).score(query, ctx)
    b = cls(seed=1).fit(train, ctx).score(query, ctx)
    c = cls(seed=2).fit(train, ctx).score(query, ctx)
    assert np.array_equal(a, b) and not np.allclose(a, c)
