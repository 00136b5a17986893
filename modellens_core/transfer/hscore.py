"""H-score and its shrinkage-regularised variant.

H-score: Bao, Li, Huang, Zheng, Tong, "An Information-Theoretic Approach to Transferability in
Task Transfer Learning", ICIP 2019: ``H(f) = tr(cov(f)^-1 cov(E[f | y]))``, the class-mean
(between-class) covariance measured in the metric of the feature covariance.

Shrinkage H-score: Ibrahim, Ponomareva, Mazumder, "Newer is not always better: Rethinking
transferability metrics, their peculiarities, stability and performance", ICLR 2023 (ECML-PKDD
2022 version): replace ``cov(f)`` by its Ledoit-Wolf shrinkage ``(1-a) S + a mu I`` and the
between-class covariance by ``(1-a) cov(E[f|y])``, which keeps the inverse stable when D is
large relative to N.

Both use biased (1/N) covariances; the H-score ratio does not depend on that choice.
"""
from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg

from .validate import check_features, encode_labels


def _centered_and_class_means(features, labels) -> tuple[np.ndarray, np.ndarray]:
    """Centered features ``[N, D]`` and ``W`` ``[C, D]``, the class means scaled by
    ``sqrt(n_c / N)``, so the between-class covariance is ``W^T W``."""
    codes, classes = encode_labels(labels)
    f = check_features(features, len(codes))
    f = f - f.mean(axis=0, keepdims=True)
    counts = np.bincount(codes, minlength=len(classes)).astype(np.float64)
    sums = np.zeros((len(classes), f.shape[1]))
    np.add.at(sums, codes, f)
    means = sums / counts[:, None]
    return f, means * np.sqrt(counts / len(codes))[:, None]


def _trace_inv_times_gram(cov: np.ndarray, w: np.ndarray) -> float:
    """``tr(cov^-1 W^T W)`` by a Cholesky solve; the pseudo-inverse when ``cov`` is singular or
    ill-conditioned (solve is ~20x cheaper than pinv's eigendecomposition for large D)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
            sol = scipy.linalg.solve(cov, w.T, assume_a="pos")
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, scipy.linalg.LinAlgWarning):
        sol = np.linalg.pinv(cov, hermitian=True) @ w.T
    return float((w.T * sol).sum())


def h_score(features, labels) -> float:
    """H-score (higher = more discriminative features for these labels; at most C - 1).

    features: ``[N, D]`` float; labels: ``[N]`` class labels. Uses the pseudo-inverse of the
    feature covariance (a Cholesky solve when it is well conditioned). Invariant to sample order, relabelling classes and any invertible linear
    map of the features (so to per-feature scaling) while the covariance is full rank.
    """
    f, w = _centered_and_class_means(features, labels)
    return _trace_inv_times_gram(f.T @ f / len(f), w)


def ledoit_wolf_shrinkage(centered) -> float:
    """Ledoit-Wolf (2004) optimal shrinkage intensity in [0, 1] for the covariance of
    ``centered`` ``[N, D]`` features towards ``mu I`` (``mu`` = mean variance); same estimator as
    scikit-learn's ``ledoit_wolf_shrinkage``. 0 for a single feature (the target equals the
    estimate)."""
    x = np.asarray(centered, dtype=np.float64)
    n, d = x.shape
    x2 = x ** 2
    var = x2.sum(axis=0) / n
    mu = var.sum() / d
    beta_ = (x2.T @ x2).sum()                    # sum_k ||x_k x_k^T||_F^2
    delta_ = ((x.T @ x) ** 2).sum() / n ** 2     # ||S||_F^2
    beta = (beta_ / n - delta_) / (d * n)        # variance of the entries of S
    delta = (delta_ - 2 * mu * var.sum() + d * mu ** 2) / d   # ||S - mu I||_F^2 / d
    if d == 1 or delta <= 1e-12 * mu ** 2:  # target == estimate (up to rounding): no shrinkage
        return 0.0
    return float(min(beta, delta) / delta)


def h_score_shrinkage(features, labels) -> float:
    """Shrinkage H-score (higher = more transferable), stable when D is comparable to N.

    features: ``[N, D]`` float; labels: ``[N]`` class labels. Invariant to sample order, class
    relabelling, isotropic scaling and rotations of the features (not to per-feature scaling:
    the ``mu I`` target is isotropic).
    """
    f, w = _centered_and_class_means(features, labels)
    a = ledoit_wolf_shrinkage(f)
    d = f.shape[1]
    emp = f.T @ f / len(f)
    cov_f = (1 - a) * emp
    cov_f.flat[:: d + 1] += a * np.trace(emp) / d
    return (1 - a) * _trace_inv_times_gram(cov_f, w)
