"""N-LEEP: LEEP with a Gaussian mixture on the target features as the "source classifier".

Li, Jia, Zhao, Gong, Fu, Liu, Yang, "Ranking Neural Checkpoints", CVPR 2021. The features are
reduced by PCA (keep 80% of the variance, or a fixed number of dimensions), a Gaussian mixture is
fitted to them, and its posterior ``p(component | x)`` plays the role of the source model's class
probabilities in LEEP. The mixture here is a small seeded EM with diagonal covariances (the paper
uses scikit-learn's full-covariance mixture; diagonal is cheaper and more stable for small N).

Also holds ``pca_project`` and ``variance_floor`` (used by GBC) and ``fit_diagonal_gmm``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .leep import leep
from .validate import check_features, encode_labels

_VAR_FRACTION = 0.8
_MAX_AUTO_DIM = 128         # cap for the 80%-variance rule: EM cost grows with N * K * dim
_COMPONENTS_PER_CLASS = 5   # as in the SFDA / TransRate benchmark code for N-LEEP
_MIN_PER_COMPONENT = 5      # ... but at least ~5 samples per component on average
_SORT_KEYS = 32             # columns used to put rows in a canonical order


def pca_project(features, n_dims: int | None = None, var_fraction: float = _VAR_FRACTION,
                max_dims: int | None = None) -> np.ndarray:
    """Project centered ``features`` ``[N, D]`` on their top principal axes -> ``[N, k]``.

    ``k = n_dims`` (capped at the rank) if given, else the fewest axes holding ``var_fraction`` of
    the variance (then capped at ``max_dims``). Axis signs are fixed (largest loading positive) so
    the output is deterministic. Constant features give one all-zero column.
    """
    x = np.asarray(features, dtype=np.float64)
    x = x - x.mean(axis=0, keepdims=True)
    n, d = x.shape
    gram = x.T @ x if n >= d else x @ x.T                     # the smaller Gram matrix
    m = gram.shape[0]
    total = np.trace(gram)
    if total <= 0:
        return np.zeros((n, 1))
    top = max(1, min(m, int(n_dims) if n_dims is not None else (max_dims or m)))
    # Only the top eigenpairs are needed; the total variance comes from the trace.
    evals, vecs = scipy.linalg.eigh(gram, subset_by_index=[m - top, m - 1])
    evals, vecs = np.clip(evals[::-1], 0.0, None), vecs[:, ::-1]
    keep = evals > evals[0] * 1e-10
    evals, vecs = evals[keep], vecs[:, keep]
    axes = vecs if n >= d else x.T @ (vecs / np.sqrt(evals))  # unit axes in feature space
    k = len(evals)
    if n_dims is None:
        k = min(k, int(np.searchsorted(np.cumsum(evals) / total, var_fraction) + 1))
    axes = axes[:, :k]
    signs = np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(k)])
    return x @ (axes * signs)


@dataclass(frozen=True)
class GaussianMixtureFit:
    """Diagonal Gaussian mixture: weights [K], means [K, d], variances [K, d], posteriors
    ``resp`` [N, K] of the training points, and the mean log-likelihood after each EM step."""

    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray
    resp: np.ndarray
    log_likelihood: list


def variance_floor(x: np.ndarray) -> np.ndarray:
    """Per-dimension variance floor ``[d]``: 1e-6 x that dimension's variance (1e-12 if constant).
    Relative, so scores do not change when a dimension is rescaled."""
    var = np.asarray(x, dtype=np.float64).var(axis=0)
    return np.where(var > 0, 1e-6 * var, 1e-12)


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: ``k`` rows of ``x``, each drawn with probability ~ squared distance."""
    n = len(x)
    centers = [x[rng.integers(n)]]
    d2 = ((x - centers[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        idx = rng.choice(n, p=d2 / total) if total > 0 else rng.integers(n)
        centers.append(x[idx])
        d2 = np.minimum(d2, ((x - x[idx]) ** 2).sum(axis=1))
    return np.array(centers)


def _log_gauss(x: np.ndarray, means: np.ndarray, var: np.ndarray) -> np.ndarray:
    """``log N(x_n | means_k, diag var_k)`` as ``[N, K]``."""
    inv = 1.0 / var
    maha = (x * x) @ inv.T - 2 * x @ (means * inv).T + (means * means * inv).sum(axis=1)
    return -0.5 * (x.shape[1] * np.log(2 * np.pi) + np.log(var).sum(axis=1) + maha)


def fit_diagonal_gmm(x, n_components: int, seed: int = 0, max_iter: int = 100,
                     tol: float = 1e-4) -> GaussianMixtureFit:
    """EM for a diagonal-covariance Gaussian mixture, seeded by k-means++ (``seed``) and a hard
    assignment to the seeds. Stops when the mean log-likelihood per sample changes by less than
    ``tol`` nats (absolute, so the stopping point does not depend on the feature scale).
    Variances get a floor of 1e-6 x each dimension's overall variance (cf. scikit-learn's
    reg_covar, made scale-relative)."""
    x = np.asarray(x, dtype=np.float64)
    n, d = x.shape
    k = max(1, min(int(n_components), n))
    rng = np.random.default_rng(seed)
    floor = variance_floor(x)
    centers = _kmeans_pp(x, k, rng)
    d2 = (x * x).sum(axis=1)[:, None] - 2 * x @ centers.T + (centers * centers).sum(axis=1)
    resp = np.zeros((n, k))
    resp[np.arange(n), d2.argmin(axis=1)] = 1.0
    history: list[float] = []
    for _ in range(max_iter):
        nk = resp.sum(axis=0) + 10 * np.finfo(float).eps
        weights = nk / nk.sum()
        means = resp.T @ x / nk[:, None]
        var = np.maximum(resp.T @ (x * x) / nk[:, None] - means ** 2, 0.0) + floor
        log_joint = _log_gauss(x, means, var) + np.log(weights)
        top = log_joint.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(log_joint - top).sum(axis=1))
        resp = np.exp(log_joint - log_norm[:, None])
        history.append(float(log_norm.mean()))
        if len(history) > 1 and abs(history[-1] - history[-2]) <= tol:
            break
    return GaussianMixtureFit(weights, means, var, resp, history)


def default_n_components(n_samples: int, n_classes: int) -> int:
    """5 components per class, capped so components average >= 5 samples (never below C)."""
    return max(n_classes, min(_COMPONENTS_PER_CLASS * n_classes, n_samples // _MIN_PER_COMPONENT))


def nleep(features, labels, n_components: int | None = None, pca_dim: int | None = None,
          seed: int = 0) -> float:
    """N-LEEP score, ``<= 0``; higher (closer to 0) = mixture clusters align better with the labels.

    features: ``[N, D]`` float; labels: ``[N]`` class labels. ``n_components`` defaults to
    ``default_n_components(N, C)``; ``pca_dim`` None keeps 80% of the variance (at most 128 dims).
    Deterministic for a given ``seed``; rows are put in a canonical order first, so the score does
    not depend on sample order.
    """
    codes, classes = encode_labels(labels)
    f = check_features(features, len(codes))
    order = np.lexsort(f[:, :_SORT_KEYS].T[::-1])
    x = pca_project(f[order], n_dims=pca_dim, max_dims=_MAX_AUTO_DIM)
    k = n_components or default_n_components(len(codes), len(classes))
    fit = fit_diagonal_gmm(x, k, seed=seed)
    resp = np.empty_like(fit.resp)
    resp[order] = fit.resp
    return leep(resp, codes)
