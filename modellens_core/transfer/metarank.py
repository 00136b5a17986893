"""MetaRank: which transferability estimator to trust for a dataset, from its description.

Following MetaRank (arXiv 2511.21007): an estimator's quality on a dataset is how well its scores
order the candidate models by their real fine-tuning accuracy, measured with the weighted Kendall
tau ``tau_w`` (higher is better, in [-1, 1]). Dataset descriptions and estimator descriptions
(:mod:`.descriptions`) are embedded with the project's text encoder, and a tiny scorer learns to
rank estimators for a dataset with a listwise objective.

Scorer (``s`` = one logit per estimator, higher = more trustworthy)::

    s(d, e) = w . e + (P (d - c)) . (Q e)

``d`` the dataset description embedding, ``c`` the mean training-dataset embedding, ``e`` an
estimator embedding [384]; ``w`` [384] learns how good an estimator is on average, the rank-k
bilinear term ``P, Q`` [k, 384] how that shifts with the dataset. Loss per training dataset:
cross-entropy between ``softmax(tau_w / T)`` and ``softmax(s)`` (ListNet), plus L2 on ``P, Q, w``.
Trade-off: 8 training datasets cannot support more than a rank-few interaction; the L2 keeps the
selector close to "the estimator that is best on average" unless the description says otherwise.

Training data (build time only, never read by the app): ``sfda_supervised_cnn11_finetune_acc.csv``
(fine-tune top-1 of 11 ImageNet CNNs on 11 datasets) and ``model_spider_metric_scores.csv``
(published scores of 9 estimators for 10 of those CNNs on 8 of the datasets). ``build`` writes the
fitted selector and its per-dataset evidence to ``assets/transfer/metarank.json`` (plain JSON);
the app loads that with :func:`load_selector`. The stored embeddings belong to the encoder that
built the file: re-run ``build`` after swapping encoders (``load_selector`` checks the dimension).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.metrics import tau_w
from .descriptions import (
    DATASETS,
    ESTIMATORS,
    SOURCE_COLUMNS,
    dataset_key,
    estimator_text,
)

SOURCES = Path(__file__).resolve().parents[3] / "shared" / "data" / "sources" / "transferability"
ACC_FILE = "sfda_supervised_cnn11_finetune_acc.csv"
SCORES_FILE = "model_spider_metric_scores.csv"
ASSET = Path("transfer") / "metarank.json"   # relative to an assets folder
FORMAT_VERSION = 1


@dataclass(frozen=True)
class FitConfig:
    """Hyper-parameters of the scorer (chosen a priori, not tuned on the leave-one-out result)."""

    rank: int = 4              # k of the bilinear interaction
    temperature: float = 0.1   # T in softmax(tau_w / T): tau_w gaps of ~0.1 matter
    l2: float = 1e-2           # on P and Q
    l2_bias: float = 1e-4      # on w
    lr: float = 0.02
    steps: int = 400
    seed: int = 0


# ----------------------------------------------------------------------------- evidence
def load_evidence(sources: Path | str | None = None) -> pd.DataFrame:
    """Per-dataset estimator quality: a DataFrame indexed by dataset key, one column per estimator
    (names of :data:`.descriptions.SOURCE_COLUMNS`), values ``tau_w`` of the estimator's published
    scores against the fine-tune accuracies of the models present in both tables (higher = the
    estimator orders the models better). ``attrs["n_models"]``: models compared per dataset.
    Datasets of the score table without accuracies are dropped; unknown score columns raise."""
    src = Path(sources) if sources is not None else SOURCES
    acc = pd.read_csv(src / ACC_FILE)
    scores = pd.read_csv(src / SCORES_FILE)
    unknown = set(scores.columns) - {"Dataset", "Model", *SOURCE_COLUMNS}
    if unknown:
        raise ValueError(f"{SCORES_FILE}: unknown estimator column(s) {sorted(unknown)}.")
    acc = acc.assign(dataset=acc["dataset"].map(dataset_key), model=acc["model"].astype(str).str.lower())
    scores = scores.assign(dataset=scores["Dataset"].map(dataset_key), model=scores["Model"].astype(str).str.lower())
    merged = scores.merge(acc[["dataset", "model", "finetune_top1"]], on=["dataset", "model"], how="inner")
    cols = [c for c in SOURCE_COLUMNS if c in scores.columns]
    rows, counts = {}, {}
    for ds, g in merged.groupby("dataset", sort=True):
        rows[ds] = {SOURCE_COLUMNS[c]: tau_w(g["finetune_top1"].to_numpy(), g[c].to_numpy()) for c in cols}
        counts[ds] = len(g)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "dataset"
    out.attrs["n_models"] = counts
    return out


def loo_splits(datasets) -> list[tuple[str, list[str]]]:
    """Leave-one-dataset-out folds: ``(held_out, training_datasets)`` for each dataset, in order."""
    ds = list(datasets)
    return [(d, [x for x in ds if x != d]) for d in ds]


# ----------------------------------------------------------------------------- the scorer
def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    z = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


@dataclass
class MetricSelector:
    """A fitted estimator selector. Arrays are float64; ``estimators`` orders ``estimator_emb``.

    ``evidence``: tau_w per training dataset (rows) and estimator (columns), what it learned from;
    ``dataset_emb``: the training datasets' description embeddings (rows in ``evidence`` order),
    used to show the nearest training datasets of a query.
    """

    estimators: list[str]
    estimator_emb: np.ndarray   # [E, D]
    center: np.ndarray          # [D]
    w: np.ndarray               # [D]
    P: np.ndarray               # [k, D]
    Q: np.ndarray               # [k, D]
    evidence: pd.DataFrame
    dataset_emb: np.ndarray     # [n_train, D]
    config: FitConfig = field(default_factory=FitConfig)
    validation: pd.DataFrame | None = None   # leave_one_dataset_out result, when built with one

    # --- scoring --------------------------------------------------------------------------
    def logits(self, query_emb) -> np.ndarray:
        """Estimator logits ``[E]`` (higher = more trustworthy) for one dataset embedding ``[D]``
        or ``[B, E]`` for a batch ``[B, D]``."""
        q = np.asarray(query_emb, dtype=np.float64)
        if q.shape[-1] != self.center.shape[0]:
            raise ValueError(f"query embedding has dimension {q.shape[-1]}; the selector was built with "
                             f"{self.center.shape[0]} (rebuild {ASSET} with the current encoder).")
        bias = self.estimator_emb @ self.w                       # [E]
        inter = ((q - self.center) @ self.P.T) @ (self.estimator_emb @ self.Q.T).T
        return bias + inter

    def rank_embedding(self, query_emb) -> pd.DataFrame:
        """All estimators ranked for one dataset embedding, best first.

        Columns: rank (1 = trust most), estimator, label, score (softmax of the logits: the
        selector's share of belief that this estimator orders models best; sums to 1),
        mean_tau_w (its average tau_w over the training datasets), description.
        """
        s = self.logits(query_emb)
        order = np.lexsort((np.array(self.estimators), -s))    # ties: by name, deterministic
        names = [self.estimators[i] for i in order]
        mean = self.evidence.mean(axis=0)
        return pd.DataFrame({
            "rank": np.arange(1, len(order) + 1),
            "estimator": names,
            "label": [ESTIMATORS[n][0] for n in names],
            "score": _softmax(s)[order],
            "mean_tau_w": [float(mean.get(n, np.nan)) for n in names],
            "description": [ESTIMATORS[n][1] for n in names],
        })

    def rank(self, description: str, encoder=None) -> pd.DataFrame:
        """All estimators ranked for a dataset description (see :meth:`rank_embedding`);
        ``attrs["neighbours"]``: the training datasets nearest the description (name, cosine)."""
        if encoder is None:
            from ..common.encoder import TextEncoder
            encoder = TextEncoder()
        q = np.asarray(encoder.encode([str(description)])[0], dtype=np.float64)
        out = self.rank_embedding(q)
        sims = self.dataset_emb @ q
        near = np.argsort(-sims, kind="stable")[:3]
        out.attrs["neighbours"] = [(str(self.evidence.index[i]), float(sims[i])) for i in near]
        return out

    # --- fitting --------------------------------------------------------------------------
    @classmethod
    def fit(cls, evidence: pd.DataFrame, dataset_emb, estimator_emb, config: FitConfig | None = None
            ) -> "MetricSelector":
        """Fit on ``evidence`` (datasets x estimators tau_w; NaN entries are left out of the loss),
        ``dataset_emb`` ``[n_datasets, D]`` in ``evidence`` row order and ``estimator_emb``
        ``[E, D]`` in column order. Deterministic for a given config (seeded, CPU, full batch)."""
        import torch

        cfg = config or FitConfig()
        ds = np.asarray(dataset_emb, dtype=np.float64)
        es = np.asarray(estimator_emb, dtype=np.float64)
        target = evidence.to_numpy(np.float64)
        if ds.shape[0] != target.shape[0] or es.shape[0] != target.shape[1] or ds.shape[1] != es.shape[1]:
            raise ValueError(f"shapes disagree: evidence {target.shape}, dataset_emb {ds.shape}, "
                             f"estimator_emb {es.shape}.")
        center = ds.mean(axis=0)
        gen = torch.Generator().manual_seed(cfg.seed)
        dim = ds.shape[1]
        P = (torch.randn(cfg.rank, dim, generator=gen, dtype=torch.float64) * 0.01).requires_grad_()
        Q = (torch.randn(cfg.rank, dim, generator=gen, dtype=torch.float64) * 0.01).requires_grad_()
        w = torch.zeros(dim, dtype=torch.float64, requires_grad=True)
        d = torch.from_numpy(ds - center)
        e = torch.from_numpy(es)
        ok = torch.from_numpy(np.isfinite(target))
        t = torch.from_numpy(np.where(np.isfinite(target), target, 0.0)) / cfg.temperature
        t = t.masked_fill(~ok, float("-inf"))
        p_target = torch.softmax(t, dim=1)                                    # [n, E]
        opt = torch.optim.Adam([P, Q, w], lr=cfg.lr)
        for _ in range(cfg.steps):
            opt.zero_grad()
            s = (e @ w)[None, :] + (d @ P.T) @ (e @ Q.T).T                     # [n, E]
            logp = torch.log_softmax(s.masked_fill(~ok, float("-inf")), dim=1)
            ce = -(p_target * logp.masked_fill(~ok, 0.0)).sum(dim=1).mean()
            loss = ce + cfg.l2 * (P.pow(2).sum() + Q.pow(2).sum()) + cfg.l2_bias * w.pow(2).sum()
            loss.backward()
            opt.step()
        return cls(list(evidence.columns), es, center, w.detach().numpy().copy(), P.detach().numpy().copy(),
                   Q.detach().numpy().copy(), evidence.copy(), ds, cfg)

    @classmethod
    def fit_default(cls, sources: Path | str | None = None, encoder=None) -> "MetricSelector":
        """Fit on every dataset with published estimator scores (read from the shared sources;
        build time only). Cached per sources folder when the default encoder is used."""
        if encoder is None:
            return _fit_default_cached(str(Path(sources) if sources is not None else SOURCES))
        return _fit_from_sources(Path(sources) if sources is not None else SOURCES, encoder)

    # --- persistence ----------------------------------------------------------------------
    def to_json(self) -> dict:
        """Plain-JSON dict (lists of floats, no pickle) that :meth:`from_json` reads back."""
        ev = self.evidence
        return {
            "format_version": FORMAT_VERSION,
            "method": "MetaRank-style listwise estimator selector (arXiv 2511.21007)",
            "config": self.config.__dict__,
            "estimators": self.estimators,
            "estimator_emb": _lists(self.estimator_emb),
            "center": _lists(self.center),
            "w": _lists(self.w),
            "P": _lists(self.P),
            "Q": _lists(self.Q),
            "evidence": {"datasets": list(map(str, ev.index)), "estimators": list(ev.columns),
                         "tau_w": [[None if not np.isfinite(v) else round(float(v), 6) for v in row]
                                   for row in ev.to_numpy(np.float64)],
                         "n_models": {str(k): int(v) for k, v in ev.attrs.get("n_models", {}).items()},
                         "descriptions": {str(d): DATASETS.get(str(d), "") for d in ev.index}},
            "dataset_emb": _lists(self.dataset_emb),
            "leave_one_out": None if self.validation is None else [
                {k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()}
                for r in self.validation.to_dict("records")],
        }

    @classmethod
    def from_json(cls, obj: dict) -> "MetricSelector":
        if obj.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported metarank.json format {obj.get('format_version')!r}; rebuild it.")
        ev = obj["evidence"]
        evidence = pd.DataFrame([[np.nan if v is None else v for v in row] for row in ev["tau_w"]],
                                index=pd.Index(ev["datasets"], name="dataset"), columns=ev["estimators"])
        evidence.attrs["n_models"] = dict(ev.get("n_models", {}))
        arr = lambda k: np.asarray(obj[k], dtype=np.float64)  # noqa: E731
        loo = obj.get("leave_one_out")
        return cls(list(obj["estimators"]), arr("estimator_emb"), arr("center"), arr("w"), arr("P"), arr("Q"),
                   evidence, arr("dataset_emb"), FitConfig(**obj.get("config", {})),
                   pd.DataFrame(loo) if loo else None)


def _lists(a: np.ndarray):
    """float arrays -> nested lists rounded to 7 significant digits (float32-level precision)."""
    return np.vectorize(lambda v: float(f"{v:.7g}"), otypes=[float])(np.asarray(a)).tolist()


def encode_inputs(evidence: pd.DataFrame, encoder) -> tuple[np.ndarray, np.ndarray]:
    """Description embeddings of ``evidence``'s datasets (rows) and estimators (columns)."""
    missing = [d for d in evidence.index if d not in DATASETS]
    if missing:
        raise ValueError(f"no description for dataset(s) {missing}; add them to descriptions.DATASETS.")
    ds = encoder.encode([DATASETS[d] for d in evidence.index])
    es = encoder.encode([estimator_text(e) for e in evidence.columns])
    return np.asarray(ds, np.float64), np.asarray(es, np.float64)


def _fit_from_sources(sources: Path, encoder) -> MetricSelector:
    evidence = load_evidence(sources)
    ds, es = encode_inputs(evidence, encoder)
    return MetricSelector.fit(evidence, ds, es)


@lru_cache(maxsize=2)
def _fit_default_cached(sources: str) -> MetricSelector:
    from ..common.encoder import TextEncoder
    return _fit_from_sources(Path(sources), TextEncoder())


# ----------------------------------------------------------------------------- evaluation
def leave_one_dataset_out(evidence: pd.DataFrame, dataset_emb, estimator_emb,
                          config: FitConfig | None = None) -> pd.DataFrame:
    """Per held-out dataset: the selector's choice (fitted without that dataset) and its tau_w, the
    baseline's choice ("the estimator with the best mean tau_w on the training folds") and its
    tau_w, and the oracle (best tau_w on the held-out dataset). Higher tau_w is better.
    Also ``metarank_regret`` / ``baseline_regret`` = oracle tau_w - chosen tau_w (lower is better), and
    ``metarank_order`` / ``baseline_order``: tau_w of the whole estimator ordering (selector logits,
    resp. training-mean tau_w) against the held-out tau_w (higher = better ordering of estimators)."""
    ds = np.asarray(dataset_emb, dtype=np.float64)
    rows = []
    pos = {d: i for i, d in enumerate(evidence.index)}
    for held, train in loo_splits(evidence.index):
        tr = [pos[d] for d in train]
        sel = MetricSelector.fit(evidence.loc[train], ds[tr], estimator_emb, config)
        truth = evidence.loc[held]
        logits = sel.logits(ds[pos[held]])
        choice = sel.rank_embedding(ds[pos[held]])["estimator"].iloc[0]
        train_mean = evidence.loc[train].mean(axis=0)
        base = train_mean.idxmax()
        oracle = truth.idxmax()
        rows.append({"dataset": held, "metarank": choice, "metarank_tau_w": truth[choice],
                     "baseline": base, "baseline_tau_w": truth[base],
                     "oracle": oracle, "oracle_tau_w": truth[oracle],
                     "metarank_order": tau_w(truth.to_numpy(), logits),
                     "baseline_order": tau_w(truth.to_numpy(), train_mean.to_numpy())})
    out = pd.DataFrame(rows)
    out["metarank_regret"] = out["oracle_tau_w"] - out["metarank_tau_w"]
    out["baseline_regret"] = out["oracle_tau_w"] - out["baseline_tau_w"]
    return out


# ----------------------------------------------------------------------------- build / load
def build(assets: Path | str | None = None, sources: Path | str | None = None, encoder=None) -> Path:
    """Fit on all datasets, run the leave-one-dataset-out check (stored with the selector so the
    app can say how much to trust it) and write ``<assets>/transfer/metarank.json``; returns its path."""
    from ..common.paths import ASSETS
    if encoder is None:
        from ..common.encoder import TextEncoder
        encoder = TextEncoder()
    evidence = load_evidence(sources)
    ds, es = encode_inputs(evidence, encoder)
    sel = MetricSelector.fit(evidence, ds, es)
    sel.validation = leave_one_dataset_out(evidence, ds, es)
    path = Path(assets or ASSETS) / ASSET
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sel.to_json(), separators=(",", ":")) + "\n")
    return path


def load_selector(path: Path | str | None = None) -> MetricSelector:
    """The shipped selector. Default: ``MODELLENS_ASSETS``'s ``transfer/metarank.json`` if it has
    one, else the package's ``assets/transfer/metarank.json`` (a test corpus has none)."""
    if path is None:
        return _load_default()
    return MetricSelector.from_json(json.loads(Path(path).read_text()))


def _load_default() -> MetricSelector:
    import os

    from ..common.paths import ASSETS
    for root in (os.environ.get("MODELLENS_ASSETS"), ASSETS):
        if root and (Path(root) / ASSET).is_file():
            return _load_cached(str((Path(root) / ASSET).resolve()))
    raise FileNotFoundError(f"{ASSET} not found under the assets folder: run "
                            "`python -m modellens_core.transfer.metarank` to build it.")


@lru_cache(maxsize=4)
def _load_cached(path: str) -> MetricSelector:
    return load_selector(path)


if __name__ == "__main__":
    print(build())
