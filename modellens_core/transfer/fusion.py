"""Fuse the ranker's scores with transferability estimates for one candidate pool.

Rule (documented for the Transferability tab): every score vector is turned into within-pool
percentile ranks (0 = worst model in the pool, 1 = best, ties get their average rank), the
estimators' percentiles are averaged per model (NaN = estimator not available for that model,
ignored), and ``fused = weight * estimator_percentile + (1 - weight) * ranker_percentile``. A model
with no estimator value at all keeps its ranker percentile. Percentiles make scales comparable
(LogME is in nats per sample, H-score is bounded by C-1, the ranker's score is a logit) at the
cost of discarding how large the gaps are.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import rankdata


def within_pool_percentile(x) -> np.ndarray:
    """Percentile rank of each finite value among the finite values of ``x`` ``[M]``.

    Higher value = higher percentile: worst -> 0, best -> 1, ties averaged. NaN stays NaN. A pool
    with a single finite value (or all values tied) gives 0.5: no evidence either way.
    """
    v = np.asarray(x, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"scores must be 1-D [M models]; got shape {v.shape}.")
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    m = int(ok.sum())
    if m == 1:
        out[ok] = 0.5
    elif m > 1:
        out[ok] = (rankdata(v[ok], method="average") - 1) / (m - 1)
    return out


def fuse_rankings(ranker_scores, estimator_scores: Mapping[str, object],
                  weight: float = 0.5) -> np.ndarray:
    """Fused score ``[M]`` in [0, 1], higher = better; sort descending for the fused ranking.

    ranker_scores: ``[M]`` ranker scores (higher = better, all finite). estimator_scores: name ->
    ``[M]`` estimator values (higher = better; NaN where missing). weight in [0, 1]: 0 reproduces
    the ranker's order, 1 the estimators' order (models without any estimate fall back to their
    ranker percentile).
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1]; got {weight}.")
    ranker = np.asarray(ranker_scores, dtype=np.float64)
    if ranker.ndim != 1 or not np.all(np.isfinite(ranker)):
        raise ValueError("ranker_scores must be a 1-D array of finite scores, one per model.")
    ranker_pct = within_pool_percentile(ranker)
    if not estimator_scores:
        return ranker_pct
    est = []
    for name, values in estimator_scores.items():
        v = np.asarray(values, dtype=np.float64)
        if v.shape != ranker.shape:
            raise ValueError(f"estimator {name!r} has {v.shape} scores but there are "
                             f"{ranker.shape[0]} models.")
        est.append(within_pool_percentile(v))
    est = np.vstack(est)
    have = np.isfinite(est).any(axis=0)
    est_pct = np.where(have, _nanmean_columns(est), ranker_pct)
    return weight * est_pct + (1 - weight) * ranker_pct


def _nanmean_columns(a: np.ndarray) -> np.ndarray:
    """Column-wise mean over finite entries; 0 where a column has none (caller masks those)."""
    ok = np.isfinite(a)
    n = ok.sum(axis=0)
    return np.where(n > 0, np.where(ok, a, 0.0).sum(axis=0) / np.maximum(n, 1), 0.0)
