"""Atlas builder (with an injected cheap projection; UMAP itself is too slow to compile in a
unit test), run-time placement and search, the neighbourhood graph and the spring layout."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from modellens_core.serving.atlas import (DATASET_CROSS, META, POINT_COLUMNS, POINTS, Atlas, build_atlas, cli_build_atlas,
                                  neighbourhood, pca_project, select_models)
from modellens_core.build.corpus import Corpus
from modellens_core.serving.layout import spring_layout
from modellens_core.build.manifest import verify_manifest


def random_projection(x, seed):
    """A seeded projection: output depends on the seed, so seed plumbing is testable."""
    return np.asarray(x, float) @ np.random.default_rng(seed).normal(size=(np.shape(x)[1], 2))


@pytest.fixture(scope="module")
def built(synthetic_assets, tiny_checkpoints, tmp_path_factory):
    """A private copy of the synthetic assets + checkpoints with an atlas built (PCA)."""
    root = tmp_path_factory.mktemp("atlas_copy")
    shutil.copytree(synthetic_assets, root / "assets")
    shutil.copytree(tiny_checkpoints, root / "checkpoints", ignore=shutil.ignore_patterns("eval"))
    meta = build_atlas(root / "assets", root / "checkpoints", project=pca_project, log=lambda *_: None)
    return root, meta


def test_builder_writes_every_point_with_finite_coordinates(built):
    root, meta = built
    d = root / "assets" / "atlas"
    assert {POINTS, DATASET_CROSS, META} <= {p.name for p in d.iterdir()}
    assert sum(p.stat().st_size for p in d.iterdir()) < 10e6
    pts = pd.read_parquet(d / POINTS)
    corpus = Corpus(root / "assets")
    assert list(pts.columns) == POINT_COLUMNS
    with_rec = set(corpus.models.loc[corpus.models["n_records"] > 0, "model"])
    assert with_rec <= set(pts.loc[pts["kind"] == "model", "id"])
    assert set(pts.loc[pts["kind"] == "dataset", "id"]) == set(corpus.datasets["dataset"])
    assert not pts["id"].duplicated().any()
    xy = pts[["learned_x", "learned_y", "desc_x", "desc_y"]].to_numpy()
    assert np.isfinite(xy).all() and xy.std(axis=0).min() > 0
    cross = np.load(d / DATASET_CROSS, allow_pickle=False)
    assert cross.shape == ((pts["kind"] == "dataset").sum(), 32) and np.isfinite(cross).all()
    assert meta["n_datasets"] == len(corpus.datasets) and meta["projection"] == "pca_project"
    assert json.loads((d / META).read_text())["checkpoint_sha256"] == meta["checkpoint_sha256"]
    assert set(pts["task_domain"]) <= {"text", "vision", "speech", "code", "multimodal", "other"}
    verify_manifest(root / "assets")  # the manifest was rewritten to cover the new files


def test_builder_is_deterministic_with_the_seed(built, tmp_path):
    root, _ = built
    out = [tmp_path / n for n in ("a", "b", "c")]
    for o, seed in zip(out, (3, 3, 4)):
        build_atlas(root / "assets", root / "checkpoints", o, seed=seed, project=random_projection,
                    log=lambda *_: None)
    a, b, c = (pd.read_parquet(o / POINTS) for o in out)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["learned_x"], c["learned_x"])


def test_cli_builds_with_pca(built, tmp_path):
    root, _ = built
    rc = cli_build_atlas(["--assets", str(root / "assets"), "--checkpoints", str(root / "checkpoints"),
                          "--out", str(tmp_path / "o"), "--projection", "pca", "--max-hub-models", "0"])
    assert rc == 0 and (tmp_path / "o" / POINTS).exists()


def test_select_models_keeps_records_and_most_popular_hub_models():
    cat = pd.DataFrame({"model": list("abcdef"), "n_records": [3, 0, 0, 0, 1, 0],
                        "popularity": [np.nan, 5.0, np.nan, 9.0, 0.0, 5.0]})
    assert list(select_models(cat, 2)["model"]) == ["a", "b", "d", "e"]   # d (9), then b before f (tie: id)
    assert list(select_models(cat, 0)["model"]) == ["a", "e"]
    assert set(select_models(cat, 99)["model"]) == set("abcdef")


def test_load_without_atlas_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="build-atlas"):
        Atlas.load(tmp_path)


def test_place_query_lands_among_its_neighbours(built):
    a = Atlas.load(built[0] / "assets")
    ds = a.datasets
    for i in (0, len(ds) - 1):
        p = a.place_query(a.dataset_cross[i], a.dataset_desc[i], k=4)
        assert p.learned_neighbours[0] == ds["id"].iloc[i] == p.description_neighbours[0]
        for (x, y), names, cols in ((p.learned, p.learned_neighbours, ["learned_x", "learned_y"]),
                                    (p.description, p.description_neighbours, ["desc_x", "desc_y"])):
            assert np.isfinite([x, y]).all()
            allxy = a.points[cols].to_numpy()
            assert allxy[:, 0].min() <= x <= allxy[:, 0].max() and allxy[:, 1].min() <= y <= allxy[:, 1].max()
            nb = ds.set_index("id").loc[names, cols].to_numpy()
            assert nb[:, 0].min() - 1e-9 <= x <= nb[:, 0].max() + 1e-9
            assert nb[:, 1].min() - 1e-9 <= y <= nb[:, 1].max() + 1e-9
    exact = a.place_query(a.dataset_cross[2], None, k=1)
    assert exact.description is None
    assert np.allclose(exact.learned, ds[["learned_x", "learned_y"]].iloc[2].to_numpy(), atol=1e-6)


def test_search_is_case_insensitive_literal_and_exact_first(built):
    a = Atlas.load(built[0] / "assets")
    hits = a.search("IMAGESET-1")
    assert hits["id"].iloc[0] == "imageset-1" and set(hits["kind"]) == {"dataset"}
    assert a.search("alpha")["id"].str.contains("alpha").all() and len(a.search("alpha")) > 1
    assert a.search(".*").empty and a.search("").empty and a.search(None).empty
    assert len(a.search("org/", limit=3)) == 3


def test_neighbourhood_links_query_to_models_and_datasets():
    table = pd.DataFrame({"model": ["m1", "m2", "m3"], "score": [3.0, 2.0, 1.0], "family": ["f", "f", "g"]})
    query = {"description": "<b>my data</b>",
             "neighbours": [{"dataset": "d1", "name": "D one", "similarity": 0.9},
                            {"dataset": "d2", "name": "D two", "similarity": 0.4}]}
    records = pd.DataFrame({"model": ["m1", "m1", "m3", "zz"], "dataset": ["d1", "d1", "d2", "d1"],
                            "z": [1.0, 2.0, -1.0, 0.0]})
    nodes, edges = neighbourhood(table, query, k_models=2, k_datasets=2, records=records)
    assert list(nodes["kind"]) == ["query", "model", "model", "dataset", "dataset"]
    assert np.isfinite(nodes[["x", "y"]].to_numpy()).all()
    qm = edges[edges["kind"] == "query-model"].sort_values("target")
    assert list(qm["weight"]) == [1.0, 0.2]            # best model pulled hardest
    md = edges[edges["kind"] == "model-dataset"]
    assert len(md) == 1 and md["weight"].iloc[0] == pytest.approx(1 / (1 + np.exp(-1.5)))
    assert (edges["weight"] > 0).all()


def test_spring_layout_is_deterministic_finite_and_pulls_edges_together():
    # two 6-cliques joined by a single bridge edge
    edges = [(i, j) for c in (0, 6) for i in range(c, c + 6) for j in range(i + 1, c + 6)] + [(0, 6)]
    a = spring_layout(12, edges, seed=1)
    assert np.array_equal(a, spring_layout(12, edges, seed=1))
    assert not np.allclose(a, spring_layout(12, edges, seed=2))
    assert np.isfinite(a).all() and np.abs(a).max() == pytest.approx(1.0)
    dist = np.linalg.norm(a[:, None] - a[None], axis=-1)
    linked = np.zeros((12, 12), bool)
    for i, j in edges:
        linked[i, j] = linked[j, i] = True
    off = ~np.eye(12, dtype=bool)
    assert dist[linked].mean() < 0.7 * dist[~linked & off].mean()


def test_spring_layout_edge_cases():
    assert spring_layout(0, []).shape == (0, 2)
    assert np.array_equal(spring_layout(1, []), np.zeros((1, 2)))
    assert np.isfinite(spring_layout(5, [], seed=0)).all()       # no edges: repulsion only
    with pytest.raises(ValueError):
        spring_layout(3, [(0, 3)])
    with pytest.raises(ValueError):
        spring_layout(3, [(0, 1)], weights=[-1.0])


def test_project_unique_projects_distinct_rows_once_and_keeps_copies_close():
    from modellens_core.serving.atlas import project_unique
    seen = []

    def spy(x, seed):
        seen.append(len(x))
        return pca_project(x, seed)
    base = np.random.default_rng(0).normal(size=(20, 8))
    x = np.vstack([base, base[:5], base[:5]])
    xy = project_unique(spy, x, seed=0)
    assert seen == [20] and xy.shape == (30, 2) and np.isfinite(xy).all()
    assert np.allclose(xy[:20], pca_project(base, 0), atol=1e-5)  # originals keep their place (float32)
    span = np.ptp(xy[:20], axis=0).max()
    assert np.abs(xy[20:25] - xy[:5]).max() < 0.05 * span         # copies sit next to them ...
    assert not np.allclose(xy[20:25], xy[25:30])                  # ... but not on top of each other
    assert np.array_equal(xy, project_unique(pca_project, x, seed=0))
