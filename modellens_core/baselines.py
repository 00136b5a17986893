"""Baseline rankers evaluated by the same harness as the ModelLens ranker (DESIGN.md §6).

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
        return cls(key // n_d, key % n_d, mean.to_numpy(), key, n_d)

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


class MatrixFactorizationBaseline(Baseline):
    """z ≈ μ + b_model + b_dataset + p_model · q_dataset, fitted to per-(model, dataset) mean z
    with full-batch Adam and L2 regularisation (torch, CPU).

    Cold start: an unseen dataset gets the similarity-weighted mean of (b, q) over its
    ``knn`` nearest training datasets by description; an unseen model gets b from its
    (family, size_bucket) cell / family mean of trained biases, and p = 0.
    """
    name = "matrix-factorization"

    def __init__(self, dim: int = 16, epochs: int = 300, reg: float = 0.05, lr: float = 0.05,
                 knn: int = 10, seed: int = 0):
        self.dim, self.epochs, self.reg, self.lr, self.knn, self.seed = dim, epochs, reg, lr, knn, seed

    def fit(self, train, ctx):
        pairs = PairTable.build(train, ctx)
        n_m, n_d = len(ctx.models), len(ctx.datasets)
        gen = torch.Generator().manual_seed(self.seed)
        m, d = torch.from_numpy(pairs.m), torch.from_numpy(pairs.d)
        z = torch.from_numpy(pairs.z).float()
        mu = z.mean() if len(z) else torch.tensor(0.0)
        params = [torch.zeros(n_m), torch.zeros(n_d),
                  0.1 * torch.randn(n_m, self.dim, generator=gen), 0.1 * torch.randn(n_d, self.dim, generator=gen)]
        for p in params:
            p.requires_grad_(True)
        bm, bd, P, Q = params
        opt = torch.optim.Adam(params, lr=self.lr)
        for _ in range(self.epochs if len(z) else 0):
            opt.zero_grad()
            pm, qd = P[m], Q[d]
            pred = mu + bm[m] + bd[d] + (pm * qd).sum(1)
            penalty = (pm.square().sum(1) + qd.square().sum(1) + bm[m].square() + bd[d].square()).mean()
            (torch.mean((pred - z) ** 2) + self.reg * penalty).backward()
            opt.step()
        seen_m = np.bincount(pairs.m, minlength=n_m) > 0
        self.mu_ = float(mu)
        b_model = bm.detach().double().numpy()
        self.b_model_ = fill_by_cells(np.where(seen_m, b_model, np.nan), ctx.models)
        self.p_model_ = np.where(seen_m[:, None], P.detach().double().numpy(), 0.0)
        self.b_dataset_, self.q_dataset_ = bd.detach().double().numpy(), Q.detach().double().numpy()
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
    (minibatch Adam, torch CPU). Works for unseen models and datasets alike; ids unknown to the
    catalog get cos = 0."""
    name = "two-tower"

    def __init__(self, dim: int = 64, epochs: int = 5, batch_size: int = 4096, lr: float = 3e-3, seed: int = 0):
        self.dim, self.epochs, self.batch_size, self.lr, self.seed = dim, epochs, batch_size, lr, seed

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
            for batch in torch.randperm(len(z), generator=gen).split(self.batch_size):
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
