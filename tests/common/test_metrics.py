"""Metrics against hand-computed cases and slow pure-Python reference versions."""
import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from modellens_core.common.metrics import (
    evaluate_groups, hit_at_k, ndcg_at_k, overlap_at_k, random_ndcg_at_k, tau_w,
)


# ---------- naive pure-Python references ----------

def naive_order(pred):
    return sorted(range(len(pred)), key=lambda i: (-pred[i], i))


def naive_gain(true):
    n = len(true)
    out = []
    for t in true:
        less = sum(1 for u in true if u < t)
        equal = sum(1 for u in true if u == t)
        out.append((less + (equal + 1) / 2 - 1) / (n - 1))
    return out


def naive_ndcg(true, pred, k):
    gain = naive_gain(true)
    m = min(k, len(true))
    dcg = sum(gain[i] / math.log2(p + 2) for p, i in enumerate(naive_order(pred)[:m]))
    idcg = sum(g / math.log2(p + 2) for p, g in enumerate(sorted(gain, reverse=True)[:m]))
    return dcg / idcg


def naive_random_ndcg(true, k):
    gain = naive_gain(true)
    m = min(k, len(true))
    idcg = sum(g / math.log2(p + 2) for p, g in enumerate(sorted(gain, reverse=True)[:m]))
    return sum(gain) / len(gain) * sum(1 / math.log2(p + 2) for p in range(m)) / idcg


def naive_hit(true, pred, k):
    best = max(true)
    return float(any(true[i] == best for i in naive_order(pred)[:k]))


def naive_overlap(true, pred, k):
    top_true = {i for i in range(len(true)) if sum(1 for u in true if u > true[i]) < k}
    return len(top_true & set(naive_order(pred)[:k])) / k


def naive_tau_w_no_ties(x, y):
    """Vigna's additive hyperbolic weighted tau, no ties, rank 0 = highest; both rankings averaged."""
    def one(rank_by):
        order = sorted(range(len(x)), key=lambda i: -rank_by[i])
        r = {item: pos for pos, item in enumerate(order)}
        num = den = 0.0
        for i in range(len(x)):
            for j in range(i + 1, len(x)):
                w = 1 / (r[i] + 1) + 1 / (r[j] + 1)
                num += w * np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
                den += w
        return num / den
    return (one(x) + one(y)) / 2


# ---------- hand-computed cases ----------

def test_ndcg_hand_computed_and_perfect():
    true = [3.0, 2.0, 1.0]  # gains 1, 0.5, 0
    assert ndcg_at_k(true, true, 3) == pytest.approx(1.0)
    reversed_pred = [1.0, 2.0, 3.0]  # order: item 2 (gain 0), item 1 (0.5), item 0 (1)
    dcg = 0 / 1 + 0.5 / math.log2(3) + 1 / 2
    idcg = 1 / 1 + 0.5 / math.log2(3)
    assert ndcg_at_k(true, reversed_pred, 3) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(true, reversed_pred, 1) == pytest.approx(0.0)
    # random expectation: mean gain 0.5 * (sum of the 3 discounts) / idcg
    assert random_ndcg_at_k(true, 3) == pytest.approx(0.5 * (1 + 1 / math.log2(3) + 1 / 2) / idcg)


def test_gains_average_ties():
    # true [1, 1, 2]: percentiles 0.25, 0.25, 1 -> perfect order NDCG 1, wrong order < 1
    assert ndcg_at_k([1, 1, 2], [0, 0, 5], 3) == pytest.approx(1.0)
    dcg = 0.25 + 0.25 / math.log2(3) + 1 / 2
    idcg = 1 + 0.25 / math.log2(3) + 0.25 / 2
    assert ndcg_at_k([1, 1, 2], [5, 4, 0], 3) == pytest.approx(dcg / idcg)


def test_hit_and_overlap_differ_at_k_gt_1():
    true = [5.0, 4.0, 3.0, 2.0, 1.0]
    pred = [10.0, 0.0, 0.0, 0.0, 9.0]  # predicted top 2 = items 0 and 4; true top 2 = {0, 1}
    assert hit_at_k(true, pred, 2) == 1.0
    assert overlap_at_k(true, pred, 2) == 0.5
    assert hit_at_k(true, [0, 1, 2, 3, 4], 2) == 0.0
    assert overlap_at_k(true, [0, 1, 2, 3, 4], 2) == 0.0


def test_hit_counts_any_tied_best_and_tie_break_is_stable():
    assert hit_at_k([2, 5, 5], [0, 0, 1], 1) == 1.0  # item 2 is tied best
    # tied predictions: stable order keeps input order -> item 0 first, which is not the best
    assert hit_at_k([1, 5, 0], [3, 3, 3], 1) == 0.0
    assert hit_at_k([5, 1, 0], [3, 3, 3], 1) == 1.0


def test_tau_w_weights_the_top_most():
    true = np.arange(10, 0, -1, dtype=float)  # item 0 best
    swap_top = true.copy(); swap_top[[0, 1]] = swap_top[[1, 0]]
    swap_bottom = true.copy(); swap_bottom[[8, 9]] = swap_bottom[[9, 8]]
    assert tau_w(true, true) == pytest.approx(1.0)
    assert tau_w(true, -true) == pytest.approx(-1.0)
    assert tau_w(true, swap_top) < tau_w(true, swap_bottom) < 1.0


def test_tau_w_nan_cases():
    assert math.isnan(tau_w([1.0], [1.0]))
    assert math.isnan(tau_w([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))


# ---------- against references on random inputs ----------

def test_tau_w_matches_scipy_and_naive():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(2, 15))
        x, y = rng.integers(0, 5, n).astype(float), rng.integers(0, 5, n).astype(float)  # with ties
        if np.ptp(x) and np.ptp(y):
            assert tau_w(x, y) == pytest.approx(scipy.stats.weightedtau(x, y).statistic)
        x, y = rng.normal(size=n), rng.normal(size=n)  # no ties
        assert tau_w(x, y) == pytest.approx(naive_tau_w_no_ties(list(x), list(y)))


def test_single_group_metrics_match_naive():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(2, 12))
        true = rng.integers(0, 4, n).astype(float)
        if np.ptp(true) == 0:
            continue
        pred = rng.integers(0, 4, n).astype(float)  # prediction ties exercise the tie-break
        for k in (1, 3, 5):
            assert ndcg_at_k(true, pred, k) == pytest.approx(naive_ndcg(list(true), list(pred), k))
            assert random_ndcg_at_k(true, k) == pytest.approx(naive_random_ndcg(list(true), k))
            assert hit_at_k(true, pred, k) == naive_hit(list(true), list(pred), k)
            assert overlap_at_k(true, pred, k) == pytest.approx(naive_overlap(list(true), list(pred), k))


def test_random_ndcg_matches_monte_carlo():
    rng = np.random.default_rng(2)
    true = rng.normal(size=25)
    sims = [ndcg_at_k(true, rng.permutation(25).astype(float), 5) for _ in range(20000)]
    assert random_ndcg_at_k(true, 5) == pytest.approx(np.mean(sims), abs=0.005)
    assert 0.3 < random_ndcg_at_k(true, 5) < 0.9  # far from 0, which is why we report it


def _random_table(seed, n_groups=150):
    rng = np.random.default_rng(seed)
    rows = []
    for gi in range(n_groups):
        n = int(rng.integers(1, 16))
        true = rng.integers(0, 5, n).astype(float)
        pred = rng.integers(0, 6, n).astype(float)
        for t, p in zip(true, pred):
            rows.append((f"g{gi}", t, p))
    df = pd.DataFrame(rows, columns=["group", "z", "pred"])
    df.loc[rng.random(len(df)) < 0.05, "z"] = np.nan  # models without a true score
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # groups interleaved


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_evaluate_groups_matches_per_group_naive(seed):
    df = _random_table(seed)
    k = 3
    got = evaluate_groups(df, k=k)
    per = {"tau_w": [], "hit@1": [], "ndcg": [], "rnd": [], "hitk": [], "ovl": []}
    for _, g in df.dropna(subset=["z"]).groupby("group", sort=False):
        true, pred = list(g["z"]), list(g["pred"])
        if len(true) < 2 or len(set(true)) == 1:
            continue
        t = tau_w(true, pred)
        per["tau_w"].append(0.0 if math.isnan(t) else t)
        per["hit@1"].append(naive_hit(true, pred, 1))
        if len(true) > k:
            per["ndcg"].append(naive_ndcg(true, pred, k))
            per["rnd"].append(naive_random_ndcg(true, k))
            per["hitk"].append(naive_hit(true, pred, k))
            per["ovl"].append(naive_overlap(true, pred, k))
    assert got["groups"] == len(per["tau_w"]) > 50
    assert got[f"groups@{k}"] == len(per["ndcg"]) > 20
    assert got["tau_w"] == pytest.approx(np.mean(per["tau_w"]))
    assert got["hit@1"] == pytest.approx(np.mean(per["hit@1"]))
    assert got[f"ndcg@{k}"] == pytest.approx(np.mean(per["ndcg"]))
    assert got[f"ndcg@{k}_random"] == pytest.approx(np.mean(per["rnd"]))
    assert got[f"hit@{k}"] == pytest.approx(np.mean(per["hitk"]))
    assert got[f"overlap@{k}"] == pytest.approx(np.mean(per["ovl"]))


def test_evaluate_groups_perfect_and_constant_predictions():
    df = _random_table(5).dropna()
    perfect = evaluate_groups(df.assign(pred=df["z"]), k=3)
    assert perfect["ndcg@3"] == pytest.approx(1.0)
    assert perfect["hit@1"] == 1.0 and perfect["hit@3"] == 1.0 and perfect["tau_w"] == pytest.approx(1.0)
    assert perfect["overlap@3"] == pytest.approx(1.0)
    const = evaluate_groups(df.assign(pred=0.0), k=3)
    assert const["tau_w"] == 0.0 and const["groups"] == perfect["groups"]
    assert const["ndcg@3"] < 1.0
