"""The Atlas: 2-D maps of models and datasets, built offline, read by the app.

Two maps of the same points (every model with records, every dataset, and the most popular
catalog models without records):

* **learned**: the ranker's bilinear cross vectors (``CROSS_DIM``-d). A model's is the cross part
  of its model view; a dataset's is the cross part of its context view with its main task and
  metric (dataset ID included). Score has a term <cross_m, cross_c>, so a model and a dataset
  that point the same way are a predicted good match; both kinds share one map.
* **description**: the frozen MiniLM description vectors the corpus stores.

Both are projected to 2-D with UMAP (cosine metric, ``random_state=seed``). UMAP compiles with
numba for about a minute per process, so it only runs in :func:`build_atlas`; the app reads
``assets/atlas/`` and everything at run time (:class:`Atlas`) is plain numpy.

Files written (no pickle): ``points.parquet`` (one row per point: kind, id, name, family,
task_domain, modality, size_bucket, params_b, task, learned_x/y, desc_x/y), ``dataset_cross.npy``
(float32 [n_datasets, CROSS_DIM], dataset points in ``points`` order, to place a query in the
learned map) and ``meta.json`` (seed, projection, counts, sha256 of the checkpoint weights).
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..build.corpus import Corpus
from ..build.manifest import MANIFEST, sha256, write_manifest
from ..common.tasks import DOMAINS, task_domain
from ..ranker.checkpoint import Checkpoint
from ..ranker.engine import Engine
from ..ranker.features import context_features, model_features
from .layout import spring_layout

ATLAS_DIR = "atlas"
POINTS, DATASET_CROSS, META = "points.parquet", "dataset_cross.npy", "meta.json"
POINT_COLUMNS = ["kind", "id", "name", "family", "task_domain", "modality", "size_bucket", "params_b", "task",
                 "learned_x", "learned_y", "desc_x", "desc_y"]
K_PLACE = 5        # neighbours whose coordinates place a query
CHUNK = 4096       # rows per forward pass when computing cross vectors

Projection = Callable[[np.ndarray, int], np.ndarray]  # (X [N, D], seed) -> [N, 2]


# --- projections ---------------------------------------------------------------------------
def _unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def pca_project(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Cheap deterministic stand-in for UMAP: the first two principal components of the
    L2-normalised rows (cosine geometry); signs fixed so the output does not flip. ``seed`` is
    unused (PCA is deterministic) but kept for the :data:`Projection` signature."""
    u = _unit_rows(x)
    u = u - u.mean(axis=0)
    _, _, vt = np.linalg.svd(u, full_matrices=False)
    comps = vt[:2]
    comps = comps * np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(axis=1)])[:, None]
    out = u @ comps.T
    return np.pad(out, ((0, 0), (0, 2 - out.shape[1]))) if out.shape[1] < 2 else out


def umap_project(x: np.ndarray, seed: int = 0, n_neighbors: int = 15, min_dist: float = 0.1) -> np.ndarray:
    """UMAP to 2-D with the cosine metric, seeded (``random_state`` makes UMAP single-threaded:
    slower, but the same map every build)."""
    import umap  # imported here: numba compilation costs about a minute per process
    n = len(x)
    if n < 4:
        return pca_project(x, seed)
    nn = min(n_neighbors, n - 1)
    reducer = umap.UMAP(n_components=2, metric="cosine", n_neighbors=nn, min_dist=min_dist, random_state=seed,
                        init="spectral" if n > nn + 1 else "random")
    return np.asarray(reducer.fit_transform(np.asarray(x, dtype=np.float32)), dtype=np.float64)


PROJECTIONS: dict[str, Projection] = {"umap": umap_project, "pca": pca_project}
JITTER = 0.003  # duplicates are spread by this fraction of the map's span, so each keeps a hover


def project_unique(project: Projection, x: np.ndarray, seed: int) -> np.ndarray:
    """Project the distinct rows only (templated descriptions repeat: on the real corpus about
    2/3 of the description vectors are duplicates, which slows UMAP and breaks its spectral
    initialisation), then give every copy its row's position plus a small seeded jitter."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    uniq, first, inverse = np.unique(x, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")            # project in first-seen order: stable output
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    xy = np.asarray(project(uniq[order], seed), dtype=np.float64)[rank[inverse.reshape(-1)]]
    dup = np.ones(len(x), bool)
    dup[first] = False
    if dup.any():
        span = np.ptp(xy, axis=0).max() or 1.0
        xy[dup] += np.random.default_rng(seed).normal(scale=JITTER * span, size=(int(dup.sum()), 2))
    return xy


# --- which points, with what metadata -------------------------------------------------------
def _main_value(rec: pd.DataFrame, key: str, col: str) -> pd.Series:
    """Most frequent ``col`` per ``key`` in the records (ties: alphabetical)."""
    counts = rec.groupby([key, col]).size().rename("n").reset_index()
    counts = counts.sort_values(["n", col], ascending=[False, True], kind="stable")
    return counts.drop_duplicates(key).set_index(key)[col]


def select_models(models: pd.DataFrame, max_hub_models: int) -> pd.DataFrame:
    """Every model with records, plus the ``max_hub_models`` most popular without (popularity
    descending, unknown popularity last, ties by id)."""
    has = models["n_records"].to_numpy() > 0
    hub = models[~has].assign(_pop=pd.to_numeric(models.loc[~has, "popularity"], errors="coerce").fillna(-np.inf))
    hub = hub.sort_values(["_pop", "model"], ascending=[False, True], kind="stable").head(max(0, int(max_hub_models)))
    return pd.concat([models[has], hub.drop(columns="_pop")]).sort_index()


def _domain_of(task: pd.Series, modality: pd.Series) -> np.ndarray:
    """Task domain of the task; where the task is unknown, the modality when it names a domain."""
    dom = task.fillna("").map(lambda t: task_domain(t) if t else "other").to_numpy(object)
    mod = modality.fillna("").astype(str).to_numpy(object)
    fallback = np.where(np.isin(mod, DOMAINS), mod, "other")
    return np.where(dom == "other", fallback, dom)


def model_points(models: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    task = models["model"].map(_main_value(records, "model", "task"))
    if "pipeline_tag" in models:
        task = task.fillna(models["pipeline_tag"].where(models["pipeline_tag"].astype(str).str.strip() != ""))
    task = task.fillna("")
    return pd.DataFrame({"kind": "model", "id": models["model"].astype(str), "name": models["model"].astype(str),
                         "family": models["family"].fillna("").astype(str),
                         "task_domain": _domain_of(task, models["modality"]),
                         "modality": models["modality"].fillna("unknown").astype(str),
                         "size_bucket": models["size_bucket"].astype(str),
                         "params_b": pd.to_numeric(models["params_b"], errors="coerce").astype(np.float64),
                         "task": task.astype(str)}).reset_index(drop=True)


def dataset_points(datasets: pd.DataFrame) -> pd.DataFrame:
    task = datasets["task"].fillna("other").astype(str)
    domain = (datasets["domain"] if "domain" in datasets else pd.Series("other", index=task.index))
    domain = domain.fillna("other").astype(str)
    return pd.DataFrame({"kind": "dataset", "id": datasets["dataset"].astype(str),
                         "name": datasets["name"].fillna(datasets["dataset"]).astype(str),
                         "family": datasets["family"].fillna("").astype(str),
                         "task_domain": _domain_of(task, domain), "modality": domain,
                         "size_bucket": "", "params_b": np.nan, "task": task}).reset_index(drop=True)


def dataset_metrics(datasets: pd.DataFrame, records: pd.DataFrame) -> list[str]:
    """Main metric per dataset: its most frequent metric, else its task's, else [UNK]."""
    by_ds = _main_value(records, "dataset", "metric")
    by_task = _main_value(records, "task", "metric")
    m = datasets["dataset"].map(by_ds).fillna(datasets["task"].map(by_task)).fillna("[UNK]")
    return m.astype(str).tolist()


# --- the ranker's cross vectors -------------------------------------------------------------
def _in_chunks(n: int, width: int, part) -> np.ndarray:
    """[n, width] float32 from ``part(slice)`` over ``CHUNK``-row slices of 0..n."""
    out = [part(slice(s, s + CHUNK)) for s in range(0, n, CHUNK)]
    return np.concatenate(out) if out else np.zeros((0, width), np.float32)


def model_cross(model, vocab, names, desc, params_b, family) -> np.ndarray:
    """[N, CROSS_DIM] cross vectors of the model side (the engine's), in chunks."""
    engine, names, params_b, family = Engine(model), list(names), list(params_b), list(family)
    return _in_chunks(len(names), model.cross_m.out_features, lambda s: engine.model_side(
        model_features(vocab, names[s], desc[s], params_b[s], family[s], model.cfg.name_buckets)).cross)


def context_cross(model, vocab, datasets, desc, tasks, metrics) -> np.ndarray:
    """[B, CROSS_DIM] cross vectors of the context side (dataset ID, description, task, metric)."""
    engine, datasets, tasks, metrics = Engine(model), list(datasets), list(tasks), list(metrics)
    return _in_chunks(len(datasets), model.cross_c.out_features, lambda s: engine.context_side(
        context_features(vocab, datasets[s], desc[s], tasks[s], metrics[s])).cross)


# --- the offline builder --------------------------------------------------------------------
def build_atlas(assets_dir, checkpoint_dir, out_dir=None, seed: int = 0, max_hub_models: int = 5000,
                project: Projection | None = None, update_manifest: bool = True, log=print) -> dict:
    """Compute both maps and write ``out_dir`` (default ``assets_dir/atlas``); returns meta.

    ``project`` maps (X [N, D], seed) to [N, 2]; default UMAP (cosine). When ``out_dir`` lies
    inside ``assets_dir`` and a manifest exists, the manifest is rewritten so the app's
    integrity check covers the new files.
    """
    t0 = time.time()
    assets_dir, checkpoint_dir = Path(assets_dir), Path(checkpoint_dir)
    out_dir = Path(out_dir) if out_dir else assets_dir / ATLAS_DIR
    project = project or umap_project
    corpus = Corpus(assets_dir)
    model, vocab, _ = Checkpoint(checkpoint_dir).load()
    rec = corpus.records
    cat = corpus.models.reset_index(drop=True)
    chosen = select_models(cat, max_hub_models)
    rows = chosen.index.to_numpy()
    m_pts = model_points(chosen.reset_index(drop=True), rec)
    d_pts = dataset_points(corpus.datasets.reset_index(drop=True))
    m_desc, d_desc = corpus.model_emb[rows], corpus.dataset_emb
    m_cross = model_cross(model, vocab, m_pts["id"], m_desc, chosen["params_b"], chosen["family"])
    d_cross = context_cross(model, vocab, d_pts["id"], d_desc, d_pts["task"],
                            dataset_metrics(corpus.datasets.reset_index(drop=True), rec))
    log(f"atlas: {len(m_pts):,} models ({int((chosen['n_records'] > 0).sum()):,} with records), "
        f"{len(d_pts):,} datasets; projecting ...")
    t1 = time.time()
    learned = project_unique(project, np.vstack([m_cross, d_cross]), seed)
    t2 = time.time()
    desc = project_unique(project, np.vstack([m_desc, d_desc]), seed)
    t3 = time.time()
    points = pd.concat([m_pts, d_pts], ignore_index=True)
    points["learned_x"], points["learned_y"] = learned[:, 0].astype(np.float32), learned[:, 1].astype(np.float32)
    points["desc_x"], points["desc_y"] = desc[:, 0].astype(np.float32), desc[:, 1].astype(np.float32)
    if not np.isfinite(points[["learned_x", "learned_y", "desc_x", "desc_y"]].to_numpy()).all():
        raise ValueError("the projection returned non-finite coordinates")
    out_dir.mkdir(parents=True, exist_ok=True)
    points[POINT_COLUMNS].to_parquet(out_dir / POINTS, index=False, compression="zstd")
    np.save(out_dir / DATASET_CROSS, np.ascontiguousarray(d_cross, dtype=np.float32), allow_pickle=False)
    meta = {"seed": int(seed), "projection": getattr(project, "__name__", str(project)),
            "n_models": int(len(m_pts)), "n_models_with_records": int((chosen["n_records"] > 0).sum()),
            "n_datasets": int(len(d_pts)), "max_hub_models": int(max_hub_models),
            "checkpoint_sha256": sha256(Checkpoint(checkpoint_dir).path(Checkpoint.WEIGHTS)),
            "seconds": {"learned": round(t2 - t1, 1), "description": round(t3 - t2, 1), "total": round(t3 - t0, 1)}}
    (out_dir / META).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    inside = out_dir.resolve().is_relative_to(assets_dir.resolve())
    if update_manifest and inside and (assets_dir / MANIFEST).exists():
        write_manifest(assets_dir)
    log(f"atlas: wrote {out_dir} in {t3 - t0:.0f}s (learned map {t2 - t1:.0f}s, description map {t3 - t2:.0f}s)")
    return meta


def cli_build_atlas(argv=None) -> int:
    """``python -m modellens_core build-atlas [--assets A] [--checkpoints C] [--out O] [--seed S]
    [--max-hub-models N] [--projection umap|pca]``."""
    from ..common.paths import ASSETS, CHECKPOINTS
    p = argparse.ArgumentParser(prog="python -m modellens_core build-atlas",
                                description="compute the Atlas maps (UMAP) into assets/atlas/")
    p.add_argument("--assets", default=str(ASSETS))
    p.add_argument("--checkpoints", default=str(CHECKPOINTS))
    p.add_argument("--out", help="output folder (default: <assets>/atlas)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-hub-models", type=int, default=5000,
                   help="most popular catalog models without records to include")
    p.add_argument("--projection", choices=sorted(PROJECTIONS), default="umap",
                   help="pca is a fast preview, not for shipping")
    a = p.parse_args(argv)
    build_atlas(a.assets, a.checkpoints, a.out, seed=a.seed, max_hub_models=a.max_hub_models,
                project=PROJECTIONS[a.projection])
    return 0


# --- run time: numpy only -------------------------------------------------------------------
@dataclass
class Placement:
    """A query's position in both maps and the dataset points that put it there."""
    learned: tuple[float, float] | None
    description: tuple[float, float] | None
    learned_neighbours: list[str] = field(default_factory=list)
    description_neighbours: list[str] = field(default_factory=list)


@dataclass
class Atlas:
    points: pd.DataFrame
    dataset_cross: np.ndarray       # [n_datasets, CROSS_DIM], unit rows, dataset points' order
    dataset_desc: np.ndarray        # [n_datasets, text_dim], unit rows (zeros: not in the corpus)
    meta: dict

    @classmethod
    def load(cls, assets_dir) -> "Atlas":
        """Read ``assets_dir/atlas``; FileNotFoundError with the command to run when missing."""
        assets_dir = Path(assets_dir)
        d = assets_dir / ATLAS_DIR
        missing = [f for f in (POINTS, DATASET_CROSS, META) if not (d / f).exists()]
        if missing:
            raise FileNotFoundError(f"the atlas is not built ({d} lacks {', '.join(missing)}): run "
                                    f"`python -m modellens_core build-atlas --assets {assets_dir}`")
        points = pd.read_parquet(d / POINTS)
        cross = np.load(d / DATASET_CROSS, allow_pickle=False).astype(np.float64)
        ds_ids = points.loc[points["kind"] == "dataset", "id"].tolist()
        if len(ds_ids) != len(cross):
            raise ValueError(f"{d}: {len(ds_ids)} dataset points but {len(cross)} cross vectors; rebuild the atlas")
        corpus = Corpus(assets_dir)
        row = pd.Series(np.arange(len(corpus.datasets)), index=corpus.datasets["dataset"].astype(str))
        r = row.reindex(ds_ids).to_numpy()
        ok = ~pd.isna(r)
        desc = np.zeros((len(ds_ids), corpus.dataset_emb.shape[1]))
        desc[ok] = corpus.dataset_emb[r[ok].astype(np.int64)]
        return cls(points.reset_index(drop=True), _unit_rows(cross), _unit_rows(desc),
                   json.loads((d / META).read_text()))

    @property
    def datasets(self) -> pd.DataFrame:
        return self.points[self.points["kind"] == "dataset"]

    def matches_checkpoint(self, checkpoint_dir) -> bool:
        """Whether the atlas was built from these weights (else the learned map is stale)."""
        p = Checkpoint(checkpoint_dir).path(Checkpoint.WEIGHTS)
        return p.exists() and sha256(p) == self.meta.get("checkpoint_sha256")

    def place_query(self, cross=None, desc=None, k: int = K_PLACE) -> Placement:
        """Place a query in both maps at the similarity-weighted mean of its ``k`` nearest dataset
        points: in the learned map by cosine of its context cross vector ``cross`` against the
        datasets' cross vectors, in the description map by cosine of its description vector
        ``desc``. A map whose vector is None gets no position. Weights = cosine clipped at a
        small positive floor, so the point stays inside its neighbours' convex hull."""
        ds = self.datasets
        learned, n_l = self._place(self.dataset_cross, cross, ds[["learned_x", "learned_y"]].to_numpy(), k)
        described, n_d = self._place(self.dataset_desc, desc, ds[["desc_x", "desc_y"]].to_numpy(), k)
        ids = ds["id"].to_numpy()
        return Placement(learned, described, ids[n_l].tolist(), ids[n_d].tolist())

    @staticmethod
    def _place(vectors: np.ndarray, v, xy: np.ndarray, k: int):
        if v is None or len(vectors) == 0:
            return None, np.zeros(0, np.int64)
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        v = v / max(np.linalg.norm(v), 1e-12)
        sims = vectors @ v
        top = np.argsort(-sims, kind="stable")[:max(1, int(k))]
        w = np.maximum(sims[top], 1e-6)
        x, y = (w[:, None] * xy[top]).sum(axis=0) / w.sum()
        return (float(x), float(y)), top

    def search(self, text, limit: int = 50) -> pd.DataFrame:
        """Points whose id or name contains ``text`` (case-insensitive, literal): exact matches
        first, then prefix matches, then the rest by id length. Empty text: no rows."""
        s = "" if text is None else str(text).strip().lower()
        if not s:
            return self.points.iloc[:0]
        ids, names = self.points["id"].str.lower(), self.points["name"].str.lower()
        hit = ids.str.contains(s, regex=False) | names.str.contains(s, regex=False)
        found = self.points[hit.to_numpy()]
        i, n = ids[hit], names[hit]
        exact = ((i == s) | (n == s)).to_numpy()
        prefix = (i.str.startswith(s) | n.str.startswith(s) | i.str.contains("/" + s, regex=False)).to_numpy()
        order = np.lexsort((found["id"].to_numpy(), found["id"].str.len().to_numpy(), ~prefix, ~exact))
        return found.iloc[order].head(max(0, int(limit)))


# --- the query's neighbourhood graph --------------------------------------------------------
def neighbourhood(table: pd.DataFrame, query, k_models: int = 10, k_datasets: int = 5, records=None,
                  seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and edges of the query's neighbourhood, laid out with :func:`spring_layout`.

    ``table``: a recommendation table (best first; columns model, score, family); ``query``: the
    :class:`~modellens_core.serving.recommender.Query` (its ``neighbours``: dataset, name, similarity) or a
    dict with the same fields. Edges: query-model (weight = score min-max scaled into [0.2, 1]
    over the shown models: a higher score pulls closer), query-dataset (description cosine,
    floored at 0.05), and model-dataset where ``records`` holds scores of the model on the
    dataset (weight = sigmoid of its mean z: a model that did well there sits closer).
    Returns nodes (node, label, kind, value, family, x, y) and edges (source, target, weight, kind)
    with source/target as row positions in nodes.
    """
    nb = query["neighbours"] if isinstance(query, dict) else query.neighbours
    nb = pd.DataFrame(nb).head(max(0, int(k_datasets)))
    top = table.head(max(0, int(k_models)))
    desc = query.get("description", "") if isinstance(query, dict) else getattr(query, "description", "")
    nodes = [{"node": "query", "label": desc, "kind": "query", "value": 1.0, "family": ""}]
    nodes += [{"node": f"model:{m}", "label": m, "kind": "model", "value": float(s), "family": str(f)}
              for m, s, f in zip(top["model"], top["score"], top.get("family", pd.Series("", index=top.index)))]
    names = nb["name"] if "name" in nb else nb["dataset"]
    nodes += [{"node": f"dataset:{d}", "label": str(n), "kind": "dataset", "value": float(s), "family": ""}
              for d, n, s in zip(nb["dataset"], names, nb["similarity"])]
    nodes = pd.DataFrame(nodes).drop_duplicates("node").reset_index(drop=True)
    pos = {n: i for i, n in enumerate(nodes["node"])}
    edges = []
    scores = np.asarray(top["score"], dtype=np.float64)
    if len(scores):
        span = scores.max() - scores.min()
        w = 0.2 + 0.8 * ((scores - scores.min()) / span if span > 0 else np.ones_like(scores))
        edges += [(0, pos[f"model:{m}"], float(x), "query-model") for m, x in zip(top["model"], w)]
    edges += [(0, pos[f"dataset:{d}"], max(float(s), 0.05), "query-dataset")
              for d, s in zip(nb["dataset"], nb["similarity"])]
    if records is not None and len(top) and len(nb):
        sub = records[records["model"].isin(set(top["model"])) & records["dataset"].isin(set(nb["dataset"]))]
        for (m, d), z in sub.groupby(["model", "dataset"])["z"].mean().items():
            edges.append((pos[f"model:{m}"], pos[f"dataset:{d}"], float(1 / (1 + np.exp(-z))), "model-dataset"))
    edges = pd.DataFrame(edges, columns=["source", "target", "weight", "kind"])
    xy = spring_layout(len(nodes), edges[["source", "target"]].to_numpy(), edges["weight"].to_numpy(), seed=seed)
    nodes["x"], nodes["y"] = xy[:, 0], xy[:, 1]
    return nodes, edges
