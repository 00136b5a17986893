"""The catalog-wide order: evidence levels first, then the ranking score, ties by name.

A never-evaluated Hub model is ranked from its name and metadata alone, which must not outrank
evidence; and within an evidence tier a model one can obtain comes before a system known only
from a paper's table. So the order is (rank level, score), both descending, where

    rank level = 2 x evidence tier + 1 if the model's availability is known (weights or an API)
    evidence tier = 3: scored on the query's task on >= ``BROAD_EVIDENCE`` datasets;
                    2: on one dataset of it; 1: in its task domain; 0: otherwise.

A candidate list is ranked by score alone, as asked. The levels are known before any scoring,
so when the top levels alone hold ``top_k`` models the rest cannot enter the top k and are not
scored: an exact shortcut (the same table as scoring everything; tested).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.tasks import task_domain

BROAD_EVIDENCE = 2     # datasets of the query's task a model needs for the top evidence tier
N_LEVELS = 8           # rank levels 0..7
EVALUATED_FIRST = 1e6  # sort key = score + this x rank level (scores are far smaller)


class Ordering:
    def __init__(self, names: np.ndarray, records: pd.DataFrame, availability_known: np.ndarray):
        """``names`` [N] catalog model names; ``records`` the corpus records; ``availability_known``
        [N] bool: open weights or an API known (not a paper-only system)."""
        row_of = pd.Series(np.arange(len(names)), index=names)
        pairs = records.groupby(["model", "task"], observed=True)["dataset"].nunique().reset_index()
        pairs = pairs.assign(row=row_of.reindex(pairs["model"]).to_numpy(), domain=pairs["task"].map(task_domain))
        pairs = pairs.dropna(subset=["row"])
        self.task_members, self.broad_members, self.domain_members = {}, {}, {}
        for col, members, part_of in (("task", self.task_members, pairs),
                                      ("task", self.broad_members, pairs[pairs["dataset"] >= BROAD_EVIDENCE]),
                                      ("domain", self.domain_members, pairs)):
            for key, part in part_of.groupby(col):
                mask = np.zeros(len(names), bool)
                mask[part["row"].astype(np.int64).to_numpy()] = True
                members[key] = mask
        self.names, self.availability_known = names, availability_known
        self.name_rank = np.empty(len(names), np.int64)          # position in name order: the tie-break
        self.name_rank[np.argsort(names, kind="stable")] = np.arange(len(names))

    def evidence_tier(self, task: str, domain: str, rows: np.ndarray) -> np.ndarray:
        """Evidence tier (0-3, see the module docstring) of catalog ``rows``."""
        tier = np.zeros(len(rows))
        if domain in self.domain_members:
            tier += self.domain_members[domain][rows]
        if task in self.task_members:
            tier += self.task_members[task][rows]
            if task in self.broad_members:
                tier += self.broad_members[task][rows]
        return tier

    def rank_level(self, task: str, domain: str, rows: np.ndarray) -> np.ndarray:
        """Rank level (0-7) of catalog ``rows``: higher levels rank first."""
        return 2 * self.evidence_tier(task, domain, rows) + self.availability_known[rows]

    @staticmethod
    def shortcut(level: np.ndarray, top_k: int) -> np.ndarray | None:
        """Mask of the rows at the levels that alone hold ``top_k`` rows; None when every level is needed."""
        from_top = np.bincount(level.astype(np.int64), minlength=N_LEVELS)[::-1].cumsum()   # rows at >= each level
        enough = np.flatnonzero(from_top >= top_k)
        if len(enough) and enough[0] < len(from_top) - 1:
            return level >= len(from_top) - 1 - enough[0]
        return None

    def top(self, key: np.ndarray, rows: np.ndarray, extra_names, k: int) -> np.ndarray:
        """Positions of the best ``k`` candidates by ``key`` (catalog ``rows`` first, then
        ``extra_names`` outside the catalog), best first; ties broken by model name. Only the
        candidates at least as good as the k-th are sorted."""
        if k < len(key):
            cut = np.partition(key, len(key) - k)[len(key) - k]
            top = np.flatnonzero(key >= cut)
        else:
            top = np.arange(len(key))
        if not len(extra_names):   # catalog rows only: the name order is precomputed (string sorts cost ~50 ms on 95k)
            names = self.name_rank[rows[top]]
        else:
            names = np.concatenate([self.names[rows], np.asarray(extra_names, object)])[top]
        return top[np.lexsort((names, -key[top]))][:k]
