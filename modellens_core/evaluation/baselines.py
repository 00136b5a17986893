"""Baseline rankers evaluated by the same harness as the ModelLens ranker.

Interface (used by the evaluation harness)::

    b = SomeBaseline(...).fit(train, ctx)   # train: model, dataset, group, task, metric, z
    s = b.score(query, ctx)                 # query: model, dataset, group, task, metric -> [len(query)]

Scores are floats, higher = predicted better, only compared within a group. ``z`` is the
within-group z-score (higher = better). Models / datasets are located by their ids in
``ctx.models.index`` / ``ctx.datasets.index``; training rows whose model or dataset is not in the
catalog are ignored and such query rows get the baseline's "unknown" score. Everything is
vectorised (pandas/numpy/torch), seeded and deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch


@dataclass
class EvalContext:
    """Catalog side information shared by all baselines.

    models: index = model id (str); columns params_b (billions of parameters, NaN unknown),
        family (str), popularity (float, e.g. likes; NaN unknown), size_bucket (str, "unknown" allowed).
    datasets: index = dataset id; columns family, task, domain.
    dataset_emb: [n_datasets, D] float32, L2-normalised description embeddings, datasets.index order.
    model_emb: [n_models, D] float32, L2-normalised, models.index order.
    """
    models: pd.DataFrame
    datasets: pd.DataFrame
    dataset_emb: np.ndarray
    model_emb: np.ndarray


# ---------------------------------------------------------------- shared helpers

def model_index(ids: pd.Series, ctx: EvalContext) -> np.ndarray:
    """[n] model ids -> [n] int64 row in ctx.models (-1 when not in the catalog)."""
    return ctx.models.index.get_indexer(np.asarray(ids, dtype=object)).astype(np.int64)


def dataset_index(ids: pd.Series, ctx: EvalContext) -> np.ndarray:
    """[n] dataset ids -> [n] int64 row in ctx.datasets (-1 when not in the catalog)."""
    return ctx.datasets.index.get_indexer(np.asarray(ids, dtype=object)).astype(np.int64)


def take(values: np.ndarray, idx: np.ndarray, missing: float = 0.0) -> np.ndarray:
    """values[idx] with ``missing`` where idx == -1 (unknown id)."""
    out = values[np.maximum(idx, 0)].astype(np.float64)
    out[idx < 0] = missing
    return out


@dataclass
class PairTable:
    """Training data reduced to one row per (model, dataset): mean z over its groups.

    m, d: [P] int64 catalog rows; z: [P] float64 mean within-group z (higher = better);
    key: [P] sorted int64 m * n_datasets + d, for vectorised look-ups.
    """
    m: np.ndarray
    d: np.ndarray
    z: np.ndarray
    key: np.ndarray
    n_datasets: int

    @classmethod
    def build(cls, train: pd.DataFrame, ctx: EvalContext) -> "PairTable":
        m, d = model_index(train["model"], ctx), dataset_index(train["dataset"], ctx)
        ok = (m >= 0) & (d >= 0)
        n_d = len(ctx.datasets)
        key = m[ok] * n_d + d[ok]
        mean = pd.Series(train["z"].to_numpy(np.float64)[ok]).groupby(key).mean()  # sorted by key
        key = mean.index.to_numpy(np.int64)
        return cls(key // n_d, key % n_d, mean.to_numpy(np.float64, copy=True), key, n_d)

    def lookup(self, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[...] model rows, dataset rows -> (mean z [...] (0 where absent), found [...] bool)."""
        key = m * self.n_datasets + d
        if not len(self.key):
            return np.zeros(key.shape), np.zeros(key.shape, dtype=bool)
        pos = np.minimum(np.searchsorted(self.key, key), len(self.key) - 1)
        found = (m >= 0) & (d >= 0) & (self.key[pos] == key)  # d >= 0: m*n_d - 1 would alias (m-1, n_d-1)
        return np.where(found, self.z[pos], 0.0), found


def model_mean_z(pairs: PairTable, n_models: int) -> np.ndarray:
    """[n_models] mean over a model's training datasets of its mean z (NaN when unseen)."""
    s = np.bincount(pairs.m, weights=pairs.z, minlength=n_models)
    c = np.bincount(pairs.m, minlength=n_models)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / c, np.nan)


def fill_by_cells(values: np.ndarray, models: pd.DataFrame) -> np.ndarray:
    """[n_models] values with NaN for unseen models -> filled: mean of the model's
    (family, size_bucket) cell among known models, else of its family, else 0."""
    v = pd.Series(values, index=models.index)
    fam = models["family"].astype(str).to_numpy()
    cell = v.groupby([fam, models["size_bucket"].astype(str).to_numpy()]).transform("mean")
    fam_mean = v.groupby(fam).transform("mean")
    return v.fillna(cell).fillna(fam_mean).fillna(0.0).to_numpy(np.float64)


def knn_weights(query_emb: np.ndarray, ref_emb: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """[Q, D], [R, D] L2-normalised -> (idx [Q, k'] rows of ref, weights [Q, k'] summing to 1),
    k' = min(k, R). Weights are cosine similarities clipped at 0 (uniform if all <= 0)."""
    k = min(k, len(ref_emb))
    sim = query_emb.astype(np.float32) @ ref_emb.astype(np.float32).T
    idx = np.argpartition(-sim, k - 1, axis=1)[:, :k] if k < len(ref_emb) else np.tile(np.arange(k), (len(sim), 1))
    w = np.clip(np.take_along_axis(sim, idx, 1), 0.0, None).astype(np.float64)
    tot = w.sum(1, keepdims=True)
    w = np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), 1.0 / k)
    return idx, w


# ---------------------------------------------------------------- baselines

class Baseline:
    """Base class: ``fit`` learns from training rows, ``score`` returns [len(query)] floats
    (higher = predicted better). Subclasses set ``name``."""
    name = "baseline"

    def fit(self, train: pd.DataFrame, ctx: EvalContext) -> "Baseline":
        return self

    def score(self, query: pd.DataFrame, ctx: EvalContext) -> np.ndarray:
        raise NotImplementedError


class RandomBaseline(Baseline):
    """Uniform random scores; the same query gives the same scores for the same seed."""
    name = "random"

    def __init__(self, seed: int = 0):
        self.seed = seed

    def score(self, query, ctx):
        return np.random.default_rng(self.seed).random(len(query))


class SizeBaseline(Baseline):
    """log(parameters in billions): bigger = better. Unknown size -> median of known sizes."""
    name = "size"

    def score(self, query, ctx):
        p = ctx.models["params_b"].to_numpy(np.float64)
        logp = np.log(np.where(p > 0, p, np.nan))  # size is never 0 in the catalog; treat <=0 as unknown
        med = np.nanmedian(logp) if np.isfinite(logp).any() else 0.0
        return take(np.where(np.isnan(logp), med, logp), model_index(query["model"], ctx), med)


class PopularityBaseline(Baseline):
    """log1p(popularity, e.g. likes): more popular = better. Unknown -> below every known model."""
    name = "popularity"

    def score(self, query, ctx):
        pop = np.log1p(np.clip(ctx.models["popularity"].to_numpy(np.float64), 0.0, None))
        return take(np.where(np.isnan(pop), -1.0, pop), model_index(query["model"], ctx), -1.0)


class GlobalQualityBaseline(Baseline):
    """Mean training z of the model over its training datasets (each dataset one vote).
    Unseen models: mean of their (family, size_bucket) cell, else family, else 0."""
    name = "global-quality"

    def fit(self, train, ctx):
        self.quality_ = fill_by_cells(model_mean_z(PairTable.build(train, ctx), len(ctx.models)), ctx.models)
        return self

    def score(self, query, ctx):
        return take(self.quality_, model_index(query["model"], ctx), 0.0)


class DescriptionKNNBaseline(Baseline):
    """Similarity-weighted mean of the model's mean z on the k training datasets whose
    descriptions are nearest (cosine) to the query dataset's; the query dataset itself counts
    when it has training rows. Models with no data on those neighbours fall back to
    ``fallback_scale`` x global quality (a small value: "about average, slightly informed")."""
    name = "description-knn"

    def __init__(self, k: int = 10, fallback_scale: float = 0.1):
        self.k, self.fallback_scale = k, fallback_scale

    def fit(self, train, ctx):
        self.pairs_ = PairTable.build(train, ctx)
        self.train_datasets_ = np.unique(self.pairs_.d)
        self.quality_ = fill_by_cells(model_mean_z(self.pairs_, len(ctx.models)), ctx.models)
        return self

    def score(self, query, ctx):
        m, d = model_index(query["model"], ctx), dataset_index(query["dataset"], ctx)
        out = self.fallback_scale * take(self.quality_, m, 0.0)
        if not len(self.train_datasets_):
            return out
        uniq, inv = np.unique(d, return_inverse=True)
        known = uniq >= 0
        nbr = np.full((len(uniq), min(self.k, len(self.train_datasets_))), -1, dtype=np.int64)
        w = np.zeros(nbr.shape)
        idx, w[known] = knn_weights(ctx.dataset_emb[uniq[known]], ctx.dataset_emb[self.train_datasets_], self.k)
        nbr[known] = self.train_datasets_[idx]
        z, found = self.pairs_.lookup(m[:, None], nbr[inv])  # [n, k]
        wf = w[inv] * found
        den = wf.sum(1)
        has = den > 0
        out[has] = (wf * z).sum(1)[has] / den[has]
        return out


def _pattern(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """[P] row-sorted (row, col) pairs -> [n_rows, n_cols] CSR of ones whose stored order is the
    input order (so a values array in that order can be swapped in)."""
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))])
    return sp.csr_matrix((np.ones(len(rows)), cols, indptr), shape=(n_rows, n_cols))


class MatrixFactorizationBaseline(Baseline):
    """z ≈ μ + b_model + b_dataset + p_model · q_dataset, fitted to per-(model, dataset) mean z
    by alternating ridge least squares (numpy, deterministic; ``epochs`` = ALS sweeps, ``reg`` =
    L2 penalty on each row's [bias, factors]). μ is the global mean and stays fixed.

    Cold start: an unseen dataset gets the similarity-weighted mean of (b, q) over its
    ``knn`` nearest training datasets by description; an unseen model gets b from its
    (family, size_bucket) cell / family mean of trained biases, and p = 0.
    """
    name = "matrix-factorization"

    def __init__(self, dim: int = 16, epochs: int = 15, reg: float = 1.0, knn: int = 10, seed: int = 0):
        self.dim, self.epochs, self.reg, self.knn, self.seed = dim, epochs, reg, knn, seed

    def _ridge_rows(self, R: sp.csr_matrix, resid: np.ndarray, other: np.ndarray) -> np.ndarray:
        """Solve every row's ridge problem at once.

        R: [n_rows, n_other] sparse pattern of observed pairs (stored order = ``resid``);
        resid: [P] targets (z minus the parts held fixed); other: [n_other, dim] fixed factors.
        Returns [n_rows, 1 + dim] = [bias, factors]; rows without pairs get zeros.
        """
        phi = np.hstack([np.ones((len(other), 1)), other])  # [n_other, 1 + dim]
        k = phi.shape[1]
        outer = (phi[:, :, None] * phi[:, None, :]).reshape(len(phi), k * k)
        gram = (R @ outer).reshape(-1, k, k) + self.reg * np.eye(k)  # Σ φφᵀ per row, via one sparse product
        rhs = sp.csr_matrix((resid, R.indices, R.indptr), shape=R.shape) @ phi  # Σ φ r per row
        return np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]

    def fit(self, train, ctx):
        pairs = PairTable.build(train, ctx)
        n_m, n_d = len(ctx.models), len(ctx.datasets)
        self.mu_ = float(pairs.z.mean()) if len(pairs.z) else 0.0
        R = _pattern(pairs.m, pairs.d, n_m, n_d)  # PairTable pairs are sorted by (m, d)
        order_t = np.lexsort((pairs.m, pairs.d))  # the same pairs sorted by (d, m)
        Rt = _pattern(pairs.d[order_t], pairs.m[order_t], n_d, n_m)
        rng = np.random.default_rng(self.seed)
        b_m, b_d = np.zeros(n_m), np.zeros(n_d)
        P, Q = np.zeros((n_m, self.dim)), 0.1 * rng.standard_normal((n_d, self.dim))
        r = pairs.z - self.mu_
        for _ in range(self.epochs if len(r) else 0):
            x = self._ridge_rows(R, r - b_d[pairs.d], Q)
            b_m, P = x[:, 0], x[:, 1:]
            x = self._ridge_rows(Rt, (r - b_m[pairs.m])[order_t], P)
            b_d, Q = x[:, 0], x[:, 1:]
        seen_m = np.bincount(pairs.m, minlength=n_m) > 0
        self.b_model_ = fill_by_cells(np.where(seen_m, b_m, np.nan), ctx.models)
        self.p_model_ = np.where(seen_m[:, None], P, 0.0)
        self.b_dataset_, self.q_dataset_ = b_d, Q
        self.train_datasets_ = np.unique(pairs.d)
        return self

    def _dataset_factors(self, d: np.ndarray, ctx: EvalContext) -> tuple[np.ndarray, np.ndarray]:
        """[u] unique dataset rows (-1 unknown) -> (b [u], q [u, dim]); kNN average for unseen ones."""
        b, q = np.zeros(len(d)), np.zeros((len(d), self.dim))
        seen = np.isin(d, self.train_datasets_)
        b[seen], q[seen] = self.b_dataset_[d[seen]], self.q_dataset_[d[seen]]
        cold = (d >= 0) & ~seen
        if cold.any() and len(self.train_datasets_):
            idx, w = knn_weights(ctx.dataset_emb[d[cold]], ctx.dataset_emb[self.train_datasets_], self.knn)
            nbr = self.train_datasets_[idx]
            b[cold] = (w * self.b_dataset_[nbr]).sum(1)
            q[cold] = (w[:, :, None] * self.q_dataset_[nbr]).sum(1)
        return b, q

    def score(self, query, ctx):
        m, d = model_index(query["model"], ctx), dataset_index(query["dataset"], ctx)
        uniq, inv = np.unique(d, return_inverse=True)
        b_d, q_d = self._dataset_factors(uniq, ctx)
        p_m = np.where((m >= 0)[:, None], self.p_model_[np.maximum(m, 0)], 0.0)
        return self.mu_ + take(self.b_model_, m, 0.0) + b_d[inv] + (p_m * q_d[inv]).sum(1)


class TwoTowerBaseline(Baseline):
    """Cosine between linear projections of the model and dataset description embeddings,
    a·cos(A e_model, B e_dataset) + c fitted with MSE to per-(model, dataset) mean z
    (minibatch Adam, torch CPU). Each epoch visits at most ``pairs_per_epoch`` random pairs, which
    bounds the fit time (~epochs x pairs_per_epoch) whatever the corpus size. Works for unseen
    models and datasets alike; ids unknown to the catalog get cos = 0."""
    name = "two-tower"

    def __init__(self, dim: int = 64, epochs: int = 5, batch_size: int = 4096, lr: float = 3e-3,
                 pairs_per_epoch: int = 200_000, seed: int = 0):
        self.dim, self.epochs, self.batch_size, self.lr, self.seed = dim, epochs, batch_size, lr, seed
        self.pairs_per_epoch = pairs_per_epoch

    @staticmethod
    def _project(emb: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
        """[n, D] embeddings, [D, dim] map -> [n, dim] L2-normalised projections."""
        return torch.nn.functional.normalize(emb @ W, dim=-1)

    def fit(self, train, ctx):
        pairs = PairTable.build(train, ctx)
        gen = torch.Generator().manual_seed(self.seed)
        em, ed = torch.from_numpy(ctx.model_emb).float(), torch.from_numpy(ctx.dataset_emb).float()
        dm, dd = em.shape[1], ed.shape[1]
        self.A_ = (torch.randn(dm, self.dim, generator=gen) / dm ** 0.5).requires_grad_(True)
        self.B_ = (torch.randn(dd, self.dim, generator=gen) / dd ** 0.5).requires_grad_(True)
        self.scale_ = torch.ones((), requires_grad=True)
        self.bias_ = torch.zeros((), requires_grad=True)
        opt = torch.optim.Adam([self.A_, self.B_, self.scale_, self.bias_], lr=self.lr)
        m, d, z = torch.from_numpy(pairs.m), torch.from_numpy(pairs.d), torch.from_numpy(pairs.z).float()
        for _ in range(self.epochs if len(z) else 0):
            for batch in torch.randperm(len(z), generator=gen)[: self.pairs_per_epoch].split(self.batch_size):
                opt.zero_grad()
                cos = (self._project(em[m[batch]], self.A_) * self._project(ed[d[batch]], self.B_)).sum(-1)
                pred = self.scale_ * cos + self.bias_
                torch.mean((pred - z[batch]) ** 2).backward()
                opt.step()
        return self

    @torch.no_grad()
    def score(self, query, ctx):
        m, d = model_index(query["model"], ctx), dataset_index(query["dataset"], ctx)
        um, m_inv = np.unique(np.maximum(m, 0), return_inverse=True)  # project each model once
        ud, d_inv = np.unique(np.maximum(d, 0), return_inverse=True)
        a = self._project(torch.from_numpy(ctx.model_emb[um]).float(), self.A_)[torch.from_numpy(m_inv)]
        b = self._project(torch.from_numpy(ctx.dataset_emb[ud]).float(), self.B_)[torch.from_numpy(d_inv)]
        cos = (a * b).sum(-1).double().numpy()
        cos[(m < 0) | (d < 0)] = 0.0
        return float(self.scale_) * cos + float(self.bias_)


ALL_BASELINES = (RandomBaseline, SizeBaseline, PopularityBaseline, GlobalQualityBaseline,
                 DescriptionKNNBaseline, MatrixFactorizationBaseline, TwoTowerBaseline)


def make_baselines(seed: int = 0) -> list[Baseline]:
    """Fresh instances of every baseline with default hyper-parameters; seeded ones get ``seed``."""
    seeded = {RandomBaseline, MatrixFactorizationBaseline, TwoTowerBaseline}
    return [cls(seed=seed) if cls in seeded else cls() for cls in ALL_BASELINES]
