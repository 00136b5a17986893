"""LogME: maximum log marginal evidence of a Bayesian linear model on the features.

You, Liu, Wang, Long, "LogME: Practical Assessment of Pre-trained Models for Transfer Learning",
ICML 2021. Model: ``y = F w + e``, ``w ~ N(0, alpha^-1 I)``, ``e ~ N(0, beta^-1 I)``. The evidence
``log p(y | F, alpha, beta)`` is maximised over alpha, beta with MacKay's fixed-point iteration,
using one eigendecomposition of ``F^T F`` (or ``F F^T``, whichever is smaller) shared by every
target column, so each iteration costs O(rank) per target. The value is divided by N.

Invariances: sample order, class ids, and any rescaling ``F -> cF`` (alpha absorbs the scale;
the marginal of y is unchanged), also any rotation of the feature space. Not invariant to a
constant offset: as in the paper, features are not centered and there is no bias term, so a
constant feature direction acts as the bias.
"""
from __future__ import annotations

import numpy as np

from .validate import check_features, encode_labels

_MAX_ITER = 100
_LAMBDA_RTOL = 1e-6  # reference code stops at 1e-3; tighter costs little and is more exact
_TINY = 1e-300


def _spectrum(features: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues ``s`` [r] of ``F^T F`` and squared projections ``q2`` [r, K] of ``F^T y``
    onto its eigenvectors, from the smaller of the two Gram matrices."""
    n, d = features.shape
    if n >= d:
        s, v = np.linalg.eigh(features.T @ features)
        q = v.T @ (features.T @ targets)
        q2 = q * q
    else:
        s, u = np.linalg.eigh(features @ features.T)
        s = np.clip(s, 0.0, None)
        z = u.T @ targets
        q2 = s[:, None] * z * z  # (F^T y . v_i)^2 = s_i (u_i . y)^2
    return np.clip(s, 0.0, None), q2


def log_evidence(features, targets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximised evidence per target column.

    features: ``[N, D]`` float; targets: ``[N, K]`` float. Returns ``(evidence / N [K], alpha [K],
    beta [K])``; higher evidence = the features explain that target better with a linear model.
    """
    f = np.asarray(features, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    n, d = f.shape
    s, q2 = _spectrum(f, y)
    s = s[:, None]
    yy = np.einsum("nk,nk->k", y, y)
    k = y.shape[1]
    alpha, beta = np.ones(k), np.ones(k)
    lam = alpha / beta
    for _ in range(_MAX_ITER):
        denom = alpha + beta * s                                  # [r, K]
        gamma = (beta * s / denom).sum(axis=0)                    # effective no. of parameters
        m_sq = (beta ** 2 * q2 / denom ** 2).sum(axis=0)          # ||m||^2
        fit = (beta * q2 / denom).sum(axis=0)                     # y^T F m
        fm_sq = (beta ** 2 * s * q2 / denom ** 2).sum(axis=0)     # ||F m||^2
        resid = np.maximum(yy - 2 * fit + fm_sq, _TINY)           # ||y - F m||^2
        alpha = np.maximum(gamma, _TINY) / np.maximum(m_sq, _TINY)
        beta = np.maximum(n - gamma, _TINY) / resid
        new_lam = alpha / beta
        done = np.all(np.abs(new_lam - lam) <= _LAMBDA_RTOL * lam)
        lam = new_lam
        if done:
            break
    denom = alpha + beta * s
    m_sq = (beta ** 2 * q2 / denom ** 2).sum(axis=0)
    resid = np.maximum(yy - 2 * (beta * q2 / denom).sum(axis=0)
                       + (beta ** 2 * s * q2 / denom ** 2).sum(axis=0), _TINY)
    # log|alpha I + beta F^T F| over all D eigenvalues; the D - r missing ones are zero.
    logdet = np.log(denom).sum(axis=0) + (d - s.shape[0]) * np.log(alpha)
    evidence = (d / 2 * np.log(alpha) + n / 2 * np.log(beta) - n / 2 * np.log(2 * np.pi)
                - beta / 2 * resid - alpha / 2 * m_sq - logdet / 2)
    return evidence / n, alpha, beta


def logme(features, labels) -> float:
    """LogME for classification (higher = features more transferable to these labels).

    features: ``[N, D]`` float; labels: ``[N]`` class labels (any hashables). Each class is a
    one-hot regression target; the score is the mean over classes of the per-sample evidence.
    """
    codes, classes = encode_labels(labels)
    f = check_features(features, len(codes))
    onehot = (codes[:, None] == np.arange(len(classes))[None, :]).astype(np.float64)
    return float(log_evidence(f, onehot)[0].mean())


def logme_regression(features, targets) -> float:
    """LogME for regression: ``targets`` is ``[N]`` or ``[N, K]`` float; mean evidence over the K
    columns (higher = better). Targets are used as given (standardise them if their units
    differ)."""
    y = np.asarray(targets, dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    f = check_features(features, y.shape[0])
    if not np.all(np.isfinite(y)):
        raise ValueError("targets contain NaN or inf values.")
    return float(log_evidence(f, y)[0].mean())
