"""Fusion of ranker scores with transferability estimates: percentiles, weights, NaN handling."""
from __future__ import annotations

import numpy as np
import pytest

from modellens_core.transfer import fuse_rankings, within_pool_percentile


def test_within_pool_percentile_basic_and_ties():
    assert within_pool_percentile([10.0, 30.0, 20.0]).tolist() == [0.0, 1.0, 0.5]
    # ranks 1, 2.5, 2.5, 4 -> (rank - 1) / 3
    assert np.allclose(within_pool_percentile([1.0, 5.0, 5.0, 9.0]), [0.0, 0.5, 0.5, 1.0])
    assert within_pool_percentile([-3.0, -1.0]).tolist() == [0.0, 1.0]  # direction: higher = better
    assert within_pool_percentile([2.0, 2.0, 2.0]).tolist() == [0.5, 0.5, 0.5]
    assert within_pool_percentile([7.0]).tolist() == [0.5]


def test_within_pool_percentile_ignores_nan():
    out = within_pool_percentile([3.0, np.nan, 1.0, 2.0])
    assert np.isnan(out[1])
    assert out[[0, 2, 3]].tolist() == [1.0, 0.0, 0.5]
    assert np.isnan(within_pool_percentile([np.nan, np.nan])).all()


def test_weight_zero_is_ranker_order_and_one_is_estimator_order():
    ranker = np.array([0.1, 2.0, 1.0, -1.0, 0.5])
    est = {"logme": np.array([-1.0, -3.0, 0.5, 0.2, -0.1]),
           "h_score": np.array([0.2, 0.1, 0.9, 0.8, 0.3])}
    by_ranker = np.argsort(-ranker).tolist()
    assert np.argsort(-fuse_rankings(ranker, est, weight=0.0)).tolist() == by_ranker
    # both estimators agree on the order 2 > 3 > 4 > 0 > 1
    assert np.argsort(-fuse_rankings(ranker, est, weight=1.0)).tolist() == [2, 3, 4, 0, 1]


def test_fused_value_follows_the_documented_rule():
    ranker = np.array([3.0, 1.0, 2.0])          # percentiles 1, 0, .5
    est = {"a": np.array([0.0, 2.0, 1.0]),      # percentiles 0, 1, .5
           "b": np.array([0.0, 1.0, 2.0])}      # percentiles 0, .5, 1
    # estimator mean: 0, .75, .75; fused = .25 * est + .75 * ranker
    expected = 0.25 * np.array([0.0, 0.75, 0.75]) + 0.75 * np.array([1.0, 0.0, 0.5])
    assert np.allclose(fuse_rankings(ranker, est, weight=0.25), expected)


def test_nan_estimates_are_ignored_per_model():
    ranker = np.array([1.0, 2.0, 3.0, 4.0])     # percentiles 0, 1/3, 2/3, 1
    est = {"a": np.array([4.0, np.nan, 1.0, 2.0]),   # among finite: 1, nan, 0, .5
           "b": np.array([np.nan, np.nan, 2.0, 1.0])}  # nan, nan, 1, 0
    fused = fuse_rankings(ranker, est, weight=0.5)
    est_mean = np.array([1.0, np.nan, 0.5, 0.25])
    # model 1 has no estimate at all: the ranker alone decides it (fused = its ranker percentile)
    expected = np.array([0.5 * est_mean[0] + 0.0, 1 / 3,
                         0.5 * est_mean[2] + 0.5 * 2 / 3, 0.5 * est_mean[3] + 0.5])
    assert np.allclose(fused, expected)
    assert np.isfinite(fused).all()


def test_no_estimators_returns_ranker_percentiles():
    assert np.allclose(fuse_rankings([5.0, 1.0, 3.0], {}), [1.0, 0.0, 0.5])


@pytest.mark.parametrize("args, message", [
    (([1.0, 2.0], {"a": [1.0, 2.0]}, 1.5), "weight must be in"),
    (([1.0, np.nan], {"a": [1.0, 2.0]}, 0.5), "finite"),
    (([1.0, 2.0], {"a": [1.0, 2.0, 3.0]}, 0.5), "estimator 'a'"),
])
def test_fusion_input_errors(args, message):
    with pytest.raises(ValueError, match=message):
        fuse_rankings(*args)
