"""Assertions shared by the adapter tests: record lookup and the SourceResult contract."""
from __future__ import annotations

from modellens_core.build.ingest.base import RECORD_COLUMNS


def rows(res, **where):
    """Records of ``res`` whose columns equal the given values."""
    r = res.records
    for k, v in where.items():
        r = r[r[k] == v]
    return r


def score(res, **where) -> float:
    """The one score matching ``where``."""
    r = rows(res, **where)
    assert len(r) == 1, r
    return float(r.score.iloc[0])


def check_frames(res, conserved: bool = True) -> None:
    """Contract columns, one model/dataset row per name used, no repeated evaluation, no broken
    file, sizes positive; with ``conserved``, every cell read is a record or one counted drop."""
    assert list(res.records.columns) == RECORD_COLUMNS
    assert set(res.models.model) == set(res.records.model)
    assert not res.models.model.duplicated().any()
    assert set(res.datasets.dataset) == set(res.records.dataset)
    assert not res.records.duplicated(["model", "dataset", "subset", "task", "metric"]).any()
    assert res.report.dropped["unparseable_file"] == 0
    assert (res.models.params_b.dropna() > 0).all()
    if conserved:
        assert res.report.rows_read == len(res.records) + sum(res.report.dropped.values())
