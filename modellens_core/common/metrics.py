"""Ranking metrics for model recommendation.

Every metric takes the scores of ONE evaluation group, ``true`` (observed, direction-corrected,
higher is better, e.g. the within-group z) and ``pred`` (predicted, higher is better), both of
shape ``[n]``, and returns a float. ``evaluate_groups`` applies them to every group of a long
table at once (vectorised) and averages over groups.

Conventions shared by all metrics:

* Predicted orders are deterministic: stable sort by ``-pred``, ties kept in input order
  (``np.argsort(-pred, kind="stable")``). NaN predictions rank last.
* Gains for NDCG are within-group percentiles of ``true``: best = 1, worst = 0, ties get the
  average percentile (``(average_rank - 1) / (n - 1)``, ranks ascending from 1).
* A group carries ranking signal only when it has >= 2 items and ``true`` is not constant.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.stats

try:  # the exact kernel scipy.stats.weightedtau(rank=True) averages; the public wrapper costs ~150 us/call
    from scipy.stats._stats import _weightedrankedtau as _wrt
except ImportError:  # pragma: no cover - private scipy API moved; fall back to the public one
    _wrt = None

__all__ = [
    "tau_w", "ndcg_at_k", "random_ndcg_at_k", "hit_at_k", "overlap_at_k",
    "predicted_order", "percentile_gain", "evaluate_groups",
]


def _finite_pred(pred: np.ndarray) -> np.ndarray:
    """[n] float -> [n] float64, order-preserving, NaN and -inf mapped below every finite value."""
    pred = np.asarray(pred, dtype=np.float64)
    if np.isfinite(pred).all():
        return pred
    fin = pred[np.isfinite(pred)]
    lo, hi = (fin.min(), fin.max()) if fin.size else (0.0, 0.0)
    out = np.where(np.isnan(pred) | (pred == -np.inf), lo - 1.0, pred)
    return np.where(out == np.inf, hi + 1.0, out)


def predicted_order(pred: np.ndarray) -> np.ndarray:
    """[n] predicted scores (higher = better) -> [n] item indices, best first.

    Stable sort by -pred, so tied predictions keep input order; NaN ranks last.
    """
    return np.argsort(-_finite_pred(pred), kind="stable")


def percentile_gain(true: np.ndarray) -> np.ndarray:
    """[n] true scores (higher = better, n >= 2) -> [n] gains in [0, 1]: best 1, worst 0, ties averaged."""
    true = np.asarray(true, dtype=np.float64)
    return (scipy.stats.rankdata(true, method="average") - 1.0) / (len(true) - 1.0)


def _discounts(n: int) -> np.ndarray:
    """[n] log2 position discounts, position i (from 0) -> 1 / log2(i + 2)."""
    return 1.0 / np.log2(np.arange(n) + 2.0)


def tau_w(true: np.ndarray, pred: np.ndarray) -> float:
    """Weighted Kendall tau of ``pred`` against ``true`` ([n] each, higher = better).

    Exactly ``scipy.stats.weightedtau(true, pred)`` (hyperbolic weigher 1/(r+1), additive,
    rank=True: the two lexicographic orders (true, pred) and (pred, true) averaged). Rank 0 is
    the HIGHEST score, so disagreements at the top cost most. Range [-1, 1].
    Returns NaN when n < 2 or either input is constant (scipy's convention).
    """
    true = np.asarray(true, dtype=np.float64)
    pred = _finite_pred(pred)
    if len(true) < 2:
        return float("nan")
    if _wrt is None:  # pragma: no cover
        return float(scipy.stats.weightedtau(true, pred).statistic)
    return float((_wrt(true, pred, None, None, True) + _wrt(pred, true, None, None, True)) / 2)


def ndcg_at_k(true: np.ndarray, pred: np.ndarray, k: int) -> float:
    """NDCG@k ([n] each, higher = better) with percentile gains and log2 discount, in [0, 1].

    DCG = sum over the first min(k, n) predicted positions i of gain / log2(i + 2); divided by
    the DCG of the ideal (true-sorted) order. NaN when n < 2 or ``true`` is constant.
    """
    true = np.asarray(true, dtype=np.float64)
    if len(true) < 2 or np.ptp(true) == 0:
        return float("nan")
    gain = percentile_gain(true)
    disc = _discounts(min(k, len(true)))
    dcg = (gain[predicted_order(pred)[: len(disc)]] * disc).sum()
    idcg = (np.sort(gain)[::-1][: len(disc)] * disc).sum()
    return float(dcg / idcg)


def random_ndcg_at_k(true: np.ndarray, k: int) -> float:
    """Expected NDCG@k ([n] true scores) of a uniformly random order: mean gain * sum of the first
    min(k, n) discounts / IDCG (every position holds each item with probability 1/n).
    NaN when n < 2 or ``true`` is constant."""
    true = np.asarray(true, dtype=np.float64)
    if len(true) < 2 or np.ptp(true) == 0:
        return float("nan")
    gain = percentile_gain(true)
    disc = _discounts(min(k, len(true)))
    return float(gain.mean() * disc.sum() / (np.sort(gain)[::-1][: len(disc)] * disc).sum())


def hit_at_k(true: np.ndarray, pred: np.ndarray, k: int) -> float:
    """1.0 if a truly best item (any of them when ``true`` ties at the max) is among the first k
    predicted ([n] each, higher = better), else 0.0. NaN when n == 0."""
    true = np.asarray(true, dtype=np.float64)
    if len(true) == 0:
        return float("nan")
    top = predicted_order(pred)[:k]
    return float((true[top] == true.max()).any())


def overlap_at_k(true: np.ndarray, pred: np.ndarray, k: int) -> float:
    """|predicted top k ∩ true top k| / k ([n] each, higher = better); the paper's "Recall@k".

    The true top k is tie-inclusive: an item belongs to it when fewer than k items are strictly
    better (so an arbitrary tie-break in ``true`` never costs a hit). Denominator is k, so
    meaningful for n > k. NaN when n == 0.
    """
    true = np.asarray(true, dtype=np.float64)
    if len(true) == 0:
        return float("nan")
    strictly_better = len(true) - scipy.stats.rankdata(true, method="max")  # count of items > true_i
    in_true_top = strictly_better < k
    return float(in_true_top[predicted_order(pred)[:k]].sum() / k)


def _first_k_sum(g: np.ndarray, pos: np.ndarray, values: np.ndarray, k: int, n_groups: int) -> np.ndarray:
    """[rows] group codes, within-group positions, values -> [n_groups] sum of values at pos < k."""
    sel = pos < k
    return np.bincount(g[sel], weights=values[sel], minlength=n_groups)


def _positions(g: np.ndarray, order: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Rows sorted by ``order`` (grouped by g) -> [rows] within-group position of each row."""
    pos = np.empty(len(order), dtype=np.int64)
    pos[order] = np.arange(len(order)) - starts[g[order]]
    return pos


def evaluate_groups(df: pd.DataFrame, pred_col: str = "pred", true_col: str = "z",
                    group_col: str = "group", k: int = 10) -> dict:
    """Mean ranking metrics over evaluation groups of a long table (one row per (model, group)).

    Rows with NaN ``true_col`` are dropped first (models without a true score). A group is
    *valid* when it then has >= 2 rows and non-constant truth. Returns a dict:

    * ``"groups"``: number of valid groups; ``"tau_w"`` and ``"hit@1"`` are means over them.
      When predictions are constant inside a valid group, its tau_w counts as 0 (no ordering
      information) rather than NaN, so every method is averaged over the same groups.
    * ``f"groups@{k}"``: valid groups with MORE than k rows; ``f"ndcg@{k}"``,
      ``f"ndcg@{k}_random"`` (expected NDCG of a random order), ``f"hit@{k}"`` and
      ``f"overlap@{k}"`` are means over those (NaN when there are none).

    Prediction ties are broken by row order in ``df`` (stable), exactly as the per-group
    functions do. Vectorised apart from one scipy weighted-tau call per group.
    """
    true_all = df[true_col].to_numpy(dtype=np.float64)
    keep = ~np.isnan(true_all)
    true = true_all[keep]
    pred = _finite_pred(df[pred_col].to_numpy(dtype=np.float64)[keep])
    g, _ = pd.factorize(df[group_col].to_numpy()[keep])
    n_groups = int(g.max()) + 1 if len(g) else 0
    n = np.bincount(g, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    rowid = np.arange(len(g))

    s_true = pd.Series(true)
    by_group = s_true.groupby(g)
    gmax = by_group.max().to_numpy()  # [n_groups]; factorize codes are 0..n_groups-1
    valid = (n >= 2) & (gmax > by_group.min().to_numpy())
    avg_rank = by_group.rank(method="average").to_numpy()
    gain = (avg_rank - 1.0) / np.maximum(n[g] - 1.0, 1.0)
    strictly_better = n[g] - by_group.rank(method="max").to_numpy()  # items strictly better

    pred_pos = _positions(g, np.lexsort((rowid, -pred, g)), starts)
    ideal_pos = _positions(g, np.lexsort((-gain, g)), starts)
    disc = 1.0 / np.log2(pred_pos + 2.0)
    idisc = 1.0 / np.log2(ideal_pos + 2.0)
    dcg = _first_k_sum(g, pred_pos, gain * disc, k, n_groups)
    idcg = _first_k_sum(g, ideal_pos, gain * idisc, k, n_groups)
    disc_sum = _first_k_sum(g, ideal_pos, idisc, k, n_groups)  # sum of the first min(k, n) discounts
    mean_gain = np.bincount(g, weights=gain, minlength=n_groups) / np.maximum(n, 1)
    is_best = (true == gmax[g]).astype(float)
    hit1 = _first_k_sum(g, pred_pos, is_best, 1, n_groups) > 0
    hitk = _first_k_sum(g, pred_pos, is_best, k, n_groups) > 0
    overlap = _first_k_sum(g, pred_pos, (strictly_better < k).astype(float), k, n_groups) / k

    # weighted tau: rows sorted by group (stable), one scipy kernel call per valid group
    by_g = np.argsort(g, kind="stable")
    t_sorted, p_sorted = true[by_g], pred[by_g]
    taus = np.full(n_groups, np.nan)
    for gi in np.flatnonzero(valid):
        sl = slice(starts[gi], starts[gi] + n[gi])
        tg = tau_w(t_sorted[sl], p_sorted[sl])
        taus[gi] = 0.0 if np.isnan(tg) else tg  # NaN here only from constant predictions

    big = valid & (n > k)
    with np.errstate(invalid="ignore", divide="ignore"):
        ndcg = dcg / idcg
        ndcg_rand = mean_gain * disc_sum / idcg

    def mean(x: np.ndarray, sel: np.ndarray) -> float:
        return float(x[sel].mean()) if sel.any() else float("nan")

    return {
        "tau_w": mean(taus, valid),
        f"ndcg@{k}": mean(ndcg, big),
        f"ndcg@{k}_random": mean(ndcg_rand, big),
        "hit@1": mean(hit1.astype(float), valid),
        f"hit@{k}": mean(hitk.astype(float), big),
        f"overlap@{k}": mean(overlap, big),
        "groups": int(valid.sum()),
        f"groups@{k}": int(big.sum()),
    }
