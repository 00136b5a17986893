import json

import numpy as np
import pandas as pd

from tests.synthetic import build_synthetic


def _load(assets):
    c = assets / "corpus"
    return (pd.read_parquet(c / "records.parquet"), pd.read_parquet(c / "models.parquet"),
            pd.read_parquet(c / "datasets.parquet"), json.loads((c / "build_report.json").read_text()))


def test_wer_group_ranks_lowest_wer_first(synthetic_assets):
    rec, *_ = _load(synthetic_assets)
    g = rec[rec["metric"] == "wer"]
    assert len(g) and not g["higher_is_better"].any()
    for _, grp in g.groupby("group"):
        assert grp.loc[grp["z"].idxmax(), "score"] == grp["score"].min()


def test_every_record_is_finite_with_known_direction(synthetic_assets):
    rec, *_ = _load(synthetic_assets)
    assert np.isfinite(rec["score"]).all() and np.isfinite(rec["z"]).all()
    assert rec["higher_is_better"].notna().all()
    z = rec.groupby("group")["z"]
    assert np.allclose(z.mean(), 0, atol=1e-5) and np.allclose(z.std(ddof=0), 1, atol=1e-4)


def test_duplicates_across_sources_are_merged_and_counted(synthetic_assets):
    rec, _, _, report = _load(synthetic_assets)
    # copyboard repeats one llmboard score in 0-1 under another subset: it is dropped, counted
    assert "copyboard" not in set(rec["source"])
    assert report["sources"]["copyboard"]["dropped"]["duplicate"] == 1
    assert report["sources"]["copyboard"]["dropped"]["unknown_metric_direction"] == 1
    assert not rec.duplicated(["model", "dataset", "subset", "task", "metric"]).any()


def test_catalog_has_descriptions_and_unknown_sizes(synthetic_assets):
    _, models, datasets, _ = _load(synthetic_assets)
    assert (models["description"].str.len() > 0).all() and (datasets["description"].str.len() > 0).all()
    assert (models["params_b"].dropna() > 0).all()
    assert set(models["size_bucket"]) <= {"<=100M", "100M-1B", "1-3B", "3-8B", "8-35B", "35-80B", ">80B", "unknown"}


def test_build_is_deterministic(tmp_path):
    build_synthetic(tmp_path / "a" / "assets", encode=False)
    build_synthetic(tmp_path / "b" / "assets", encode=False)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
