"""The answer to a :class:`~.request.RankRequest`: the ranked table, what was understood, the
notices for the user, and where each asked name landed."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .query import Query

# the table, best first; ``asked`` only for candidate lists (the name exactly as the caller wrote it)
COLUMNS = ["rank", "model", "score", "prior", "residual", "predicted_z", "params_b", "family", "modality",
           "size_bucket", "seen", "in_catalog", "n_records", "evidence_tier", "rank_level", "observed", "evidence"]
COLUMN_DOC = """rank; model; score = (prior + residual) / tau (higher is better: the sort key within a rank
level); prior (size and family) and residual (this dataset, shrunk for unseen models), score units;
predicted_z (predicted within-benchmark standard score); params_b (billions of parameters);
family; modality; size_bucket; seen (trained on records of this model); in_catalog; n_records;
evidence_tier (3: scored on >= 2 datasets of the task, 2: on one, 1: in its domain, 0: none; 0 in
a candidate list); rank_level (catalog-wide sort key: 2 x tier + 1 if obtainable); observed
(score on a matching known dataset); evidence (nearest known datasets it was scored on)."""


@dataclass
class Ranking:
    table: pd.DataFrame
    query: Query
    notices: list[str] = field(default_factory=list)
    modalities: tuple | None = None      # the modalities kept (None: all)
    rows: dict = field(default_factory=dict)   # asked name -> row position in ``table`` (candidate lists)

    @property
    def task(self) -> str:
        return self.query.task

    @property
    def metric(self) -> str:
        return self.query.metric

    @property
    def domain(self) -> str:
        return self.query.domain

    def understood(self) -> dict:
        """What was understood, as plain values (the CLI's JSON, the UI's status line)."""
        q = self.query
        return {"task": q.task, "metric": q.metric, "domain": q.domain, "task_inferred": q.task_inferred,
                "metric_inferred": q.metric_inferred, "match": q.match, "subset": q.subset,
                "neighbours": q.neighbour_records, "modalities": list(self.modalities or []),
                "notices": list(self.notices)}


def empty_table(with_asked: bool = False) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS + (["asked"] if with_asked else [])})


CATALOG_COLUMNS = ["model", "params_b", "family", "modality", "size_bucket", "n_records"]
BIG_TABLE = 2000   # tables longer than this take their descriptive columns from Arrow, not numpy


class CatalogColumns:
    """The descriptive columns of table rows, from numpy copies of the catalog (pandas indexing
    of 95k rows costs tens of ms per query) or, for very long tables, Arrow takes."""

    def __init__(self, catalog: pd.DataFrame):
        import numpy as np
        self.frame = catalog[CATALOG_COLUMNS]
        self.arrays = {c: catalog[c].to_numpy(np.float64 if c == "params_b" else np.int64 if c == "n_records"
                                              else object) for c in CATALOG_COLUMNS}

    def take(self, rows, extra: pd.DataFrame | None, order) -> dict:
        """Columns of the candidates at positions ``order`` (catalog ``rows`` first, then the
        names outside the catalog in ``extra``), plus ``in_catalog``."""
        import numpy as np
        n = len(rows)
        if extra is None and len(order) > BIG_TABLE:   # e.g. the whole catalog: Arrow takes, no string copies
            part = self.frame.iloc[rows[order]]
            return {**{c: part[c].array for c in CATALOG_COLUMNS}, "in_catalog": np.ones(len(order), bool)}
        in_cat = order < n
        cols = {}
        for c in CATALOG_COLUMNS:
            src = self.arrays[c]
            col = np.empty(len(order), dtype=src.dtype)
            col[in_cat] = src[rows[order[in_cat]]]
            if extra is not None:
                col[~in_cat] = extra[c].to_numpy(src.dtype)[order[~in_cat] - n]
            cols[c] = col
        cols["in_catalog"] = in_cat
        return cols
