"""GBC: Gaussian Bhattacharyya Coefficient.

Pándy, Agostinelli, Uijlings, Ferrari, Mensink, "Transferability Estimation using Bhattacharyya
Class Separability", CVPR 2022. Each target class is modelled as a Gaussian with diagonal
covariance in the feature space; the score is minus the total pairwise overlap,
``GBC = -sum_i sum_{j != i} BC(c_i, c_j)`` with ``BC = exp(-D_B)`` and the Bhattacharyya distance
``D_B = 1/8 dmu^T S^-1 dmu + 1/2 ln(det S / sqrt(det S_i det S_j))``, ``S = (S_i + S_j) / 2``.
The sum runs over ordered pairs as in the paper (each unordered pair counts twice).
"""
from __future__ import annotations

import numpy as np

from .nleep import pca_project, variance_floor
from .validate import check_features, encode_labels


def gbc(features, labels, pca_dim: int | None = None) -> float:
    """GBC score in ``[-C(C-1), 0]``; higher (closer to 0) = classes overlap less.

    features: ``[N, D]`` float; labels: ``[N]`` class labels. ``pca_dim``: project on that many
    principal axes first (the paper uses 64); None uses the raw features. Class variances are
    biased (1/n_c) with a floor of 1e-6 x the feature's overall variance. Invariant to sample
    order, class relabelling and, without PCA, per-feature scaling.
    """
    codes, classes = encode_labels(labels)
    f = check_features(features, len(codes))
    if pca_dim is not None:
        f = pca_project(f, n_dims=pca_dim)
    f = f - f.mean(axis=0, keepdims=True)  # avoids cancellation in E[x^2] - E[x]^2
    n_c = len(classes)
    counts = np.bincount(codes, minlength=n_c).astype(np.float64)[:, None]
    sums = np.zeros((n_c, f.shape[1]))
    sq = np.zeros((n_c, f.shape[1]))
    np.add.at(sums, codes, f)
    np.add.at(sq, codes, f * f)
    means = sums / counts
    floor = variance_floor(f)
    var = np.maximum(sq / counts - means ** 2, 0.0) + floor
    log_var = np.log(var)
    total = 0.0
    for i in range(n_c):  # row by row: [C, D] memory instead of [C, C, D]
        avg = (var[i] + var) / 2
        dist = (0.125 * ((means[i] - means) ** 2 / avg).sum(axis=1)
                + 0.5 * (np.log(avg) - 0.5 * (log_var[i] + log_var)).sum(axis=1))
        bc = np.exp(-dist)
        total += bc.sum() - bc[i]
    return float(-total)
