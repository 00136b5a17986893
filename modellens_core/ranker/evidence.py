"""Neighbour evidence: how each model scored on the known datasets nearest a context's description.

For a context (a dataset description, optionally a subset such as a language pair) we take
the ``k`` training datasets whose description embeddings are nearest (cosine), leaving out
the context's own dataset family (a new dataset has none in training, so training must not
see its own either), and weight them by softmax(similarity / temperature). For each model the
evidence vector is

    [ z_subset, cov_subset, z_dataset, cov_dataset, z_task, cov_task, top_sim ]   (``Slot``)

* z_dataset   weighted mean over the neighbours the model was scored on of its mean training
              z there (higher = better); cov_dataset = the weight those neighbours carry (0-1)
* z_subset    the same over the neighbours' groups with exactly the context's subset
              ("hin_Deva-eng_Latn" scored on another benchmark); 0/0 when no subset is given
* z_task      the model's mean z over every training dataset of the context's task (own family
              left out); cov_task = n / (n + 2) for n such datasets (a strong model of the task
              that was never run on the nearest few still shows)
* top_sim     cosine similarity of the nearest neighbour (how much the neighbourhood is worth)

The z that goes in is shifted by the strength of each group's field (:func:`population_shifted_z`):
a within-group z says "better than the models that were run there", which flatters a model on a
benchmark the strongest models skipped.

``pairs`` computes it for (model, context) pairs with sorted-key lookups (training and
evaluation); ``catalog`` for every catalog model and one query by scattering the neighbours'
columns (the app). Tests check the two agree.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from safetensors import safe_open
from safetensors.numpy import save_file



class Slot:
    """The evidence vector's layout: the one place that says which slot holds what."""
    SUBSET_Z, SUBSET_COV, DATASET_Z, DATASET_COV, TASK_Z, TASK_COV, TOP_SIM = range(7)
    # (z, coverage) pairs, in the order of the model's direct evidence weights
    Z_COVERAGE = ((SUBSET_Z, SUBSET_COV), (DATASET_Z, DATASET_COV), (TASK_Z, TASK_COV))
    SUBSET = slice(SUBSET_Z, SUBSET_COV + 1)        # hidden together with the query's subset
    NEIGHBOURS = slice(SUBSET_Z, DATASET_COV + 1)   # from the nearest known datasets
    TASK = slice(TASK_Z, TASK_COV + 1)              # from the query's task
    RECORDS = slice(SUBSET_Z, TOP_SIM)              # every slot that comes from the model's own records


EVIDENCE_DIM = 7
TASK_SHRINK = 2.0   # cov_task = n / (n + TASK_SHRINK) for n datasets of the task
TABLES = ("dataset_family", "train_datasets", "pair_keys", "pair_z", "sub_keys", "sub_z", "task_keys", "task_sum",
          "task_n", "fam_keys", "fam_sum", "fam_n")
NO_SUBSET = -1
# On disk (``save``): keys, codes and counts in the narrowest signed integer that holds every value
# (checked on save); means and sums in float32, as built. Measured on the shipped index: pair keys
# (model x dataset, max ~2.7e8) and task keys fit int32; subset keys ((model, dataset) x subset, max
# ~2.2e12) and family keys ((model, task) x family, ~9.3e9) do not, so they are stored split before
# their last factor: the int32 (model, dataset) / (model, task) key plus the int16 subset / family code.
STORAGE_FORMAT = 2
MEMORY_DTYPES = {"dataset_family": np.int64, "train_datasets": np.int64, "pair_keys": np.int64,
                 "pair_z": np.float32, "sub_keys": np.int64, "sub_z": np.float32, "task_keys": np.int64,
                 "task_sum": np.float32, "task_n": np.float64, "fam_keys": np.int64, "fam_sum": np.float32,
                 "fam_n": np.float64}
_COUNTS = ("task_n", "fam_n")


def _narrowest_int(a: np.ndarray) -> np.ndarray:
    """``a`` (integer values) in the narrowest of int16 / int32 / int64 that holds them all."""
    for dtype in (np.int16, np.int32, np.int64):
        info = np.iinfo(dtype)
        if not len(a) or (a.min() >= info.min and a.max() <= info.max):
            out = np.ascontiguousarray(a, dtype)
            _check(np.array_equal(out, a), "integer table changed when narrowed")
            return out
    raise AssertionError("integer table does not fit int64")


def _check(ok, message: str) -> None:
    """An assertion that ``python -O`` keeps (a wrong table must never be saved)."""
    if not ok:
        raise AssertionError(message)


def _pack(name: str, a: np.ndarray, split: int | None) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays stored for table ``name`` and its layout entry (see STORAGE_FORMAT)."""
    a = np.asarray(a)
    if name in _COUNTS:
        _check(np.array_equal(a, np.round(a)) and (not len(a) or a.min() >= 0), f"{name}: counts must be integers")
        return {name: _narrowest_int(a.astype(np.int64))}, {"as": "int"}
    if a.dtype.kind == "f":
        out = np.ascontiguousarray(a, np.float32)
        _check(np.array_equal(out, a, equal_nan=True), f"{name}: values change in float32")
        return {name: out}, {"as": "float32"}
    a = a.astype(np.int64)
    if split is None:
        return {name: _narrowest_int(a)}, {"as": "int"}
    hi, lo = np.divmod(a, split)
    hi, lo = _narrowest_int(hi), _narrowest_int(lo)
    _check(np.array_equal(hi.astype(np.int64) * split + lo, a), f"{name}: split keys do not rebuild the table")
    return {f"{name}.hi": hi, f"{name}.lo": lo}, {"as": "split", "base": int(split)}


def _unpack(f, name: str, layout: dict | None) -> np.ndarray:
    """Table ``name`` from an open safetensors file, in its in-memory dtype."""
    dtype = MEMORY_DTYPES[name]
    if layout and layout["as"] == "split":
        return f.get_tensor(f"{name}.hi").astype(np.int64) * layout["base"] + f.get_tensor(f"{name}.lo")
    return np.ascontiguousarray(f.get_tensor(name), dtype)


def _mean_by_key(keys: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique int64 keys and the mean z of each."""
    uniq, total, count = _sum_by_key(keys, z)
    return uniq, (total / count).astype(np.float32)


def _codes(values: np.ndarray, codes: dict) -> np.ndarray:
    """Codes of string values, all of which are keys of ``codes`` (vectorised through pandas)."""
    cats = pd.Categorical(pd.Series(values).astype(str), categories=list(codes))
    return np.asarray(cats.codes, np.int64)


def _sum_by_key(keys: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted unique int64 keys, the sum of z and the count of each."""
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq, np.bincount(inv, weights=z, minlength=len(uniq)), np.bincount(inv, minlength=len(uniq)).astype(np.float64)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """values at ``query`` keys (any shape) and whether each was found."""
    if not len(keys):
        return np.zeros(query.shape, np.float32), np.zeros(query.shape, bool)
    pos = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    found = keys[pos] == query
    return np.where(found, values[pos], 0.0).astype(np.float32), found


def population_shifted_z(records: pd.DataFrame, z: np.ndarray, shift: float) -> np.ndarray:
    """[R] within-group z (higher = better) of ``records`` (model, dataset, group) -> [R] z + shift x
    the mean, over the models scored in the row's group, of their global quality (each model's
    mean over datasets of its mean z there). shift 0 returns z unchanged."""
    z = np.asarray(z, np.float32)
    if shift == 0 or not len(z):
        return z
    zs = pd.Series(z, index=records.index)
    quality = zs.groupby([records["model"], records["dataset"]]).mean().groupby(level=0).mean()
    field = records["model"].map(quality).groupby(records["group"]).transform("mean")
    return (zs + shift * field).to_numpy(np.float32)


@dataclass
class NeighbourEvidence:
    k: int
    temperature: float
    dataset_emb: np.ndarray     # [n_datasets, D] L2-normalised, corpus dataset order
    dataset_family: np.ndarray  # [n_datasets] family codes
    train_datasets: np.ndarray  # dataset rows that have training records
    pair_keys: np.ndarray       # sorted model_row * n_datasets + dataset_row
    pair_z: np.ndarray
    sub_keys: np.ndarray        # sorted (model_row * n_datasets + dataset_row) * n_subsets + subset code
    sub_z: np.ndarray
    subset_codes: dict          # subset string -> code
    task_codes: dict            # task -> code
    task_keys: np.ndarray       # sorted model_row * n_tasks + task: sum and count of per-dataset mean z
    task_sum: np.ndarray
    task_n: np.ndarray
    fam_keys: np.ndarray        # sorted (model_row * n_tasks + task) * n_families + family: the same per family
    fam_sum: np.ndarray
    fam_n: np.ndarray

    @classmethod
    def build(cls, train: pd.DataFrame, z: np.ndarray, models: pd.DataFrame, datasets: pd.DataFrame,
              dataset_emb: np.ndarray, subsets, tasks, k: int = 10, temperature: float = 0.05) -> "NeighbourEvidence":
        """``train`` records (model, dataset, subset, task) with their training z [R]; ``subsets`` and
        ``tasks`` every subset string and task the contexts may carry."""
        codes = {s: i for i, s in enumerate(sorted({str(s) for s in subsets} | set(train["subset"].astype(str))))}
        m = pd.Series(np.arange(len(models)), index=models["model"]).reindex(train["model"]).to_numpy()
        d = pd.Series(np.arange(len(datasets)), index=datasets["dataset"]).reindex(train["dataset"]).to_numpy()
        ok = ~(pd.isna(m) | pd.isna(d))
        m, d, zz = m[ok].astype(np.int64), d[ok].astype(np.int64), np.asarray(z, np.float64)[ok]
        s = _codes(train["subset"].to_numpy()[ok], codes)
        pair = m * len(datasets) + d
        pk, pz = _mean_by_key(pair, zz)
        sk, sz = _mean_by_key(pair * len(codes) + s, zz)
        fam = pd.factorize(datasets["family"].fillna(datasets["dataset"]).astype(str))[0].astype(np.int64)
        # per task: sums of the per-(model, dataset, task) mean z, overall and per dataset family
        tcodes = {t: i for i, t in enumerate(sorted({str(t) for t in tasks} | set(train["task"].astype(str))))}
        n_t, n_f = len(tcodes), int(fam.max()) + 1 if len(fam) else 1
        t = _codes(train["task"].to_numpy()[ok], tcodes)
        k3, z3 = _mean_by_key(pair * n_t + t, zz)
        m3, d3, t3 = k3 // n_t // len(datasets), k3 // n_t % len(datasets), k3 % n_t
        tk, ts, tn = _sum_by_key(m3 * n_t + t3, z3)
        fk, fs, fn = _sum_by_key((m3 * n_t + t3) * n_f + fam[d3], z3)
        # sums in float32, as saved (counts stay exact float64): a loaded index equals a built one
        return cls(k, temperature, np.ascontiguousarray(dataset_emb, np.float32), fam,
                   np.unique(d), pk, pz, sk, sz, codes, tcodes, tk, ts.astype(np.float32), tn,
                   fk, fs.astype(np.float32), fn)

    # --- saved with the app checkpoint (a rebuild from 1.4M records costs seconds at start-up) --
    def save(self, path: Path) -> None:
        """Tables as safetensors (never pickled) in compact dtypes (:func:`_pack`); codes and
        settings in its metadata. :meth:`load` gives back the in-memory dtypes."""
        split = {"sub_keys": len(self.subset_codes), "fam_keys": self._n_families()}
        stored, layout = {}, {}
        for t in TABLES:
            stored_t, layout[t] = _pack(t, getattr(self, t), split.get(t))
            stored.update(stored_t)
        meta = {"k": self.k, "temperature": self.temperature, "subsets": list(self.subset_codes),
                "tasks": list(self.task_codes), "n_datasets": len(self.dataset_emb),
                "format": STORAGE_FORMAT, "layout": layout}
        save_file(stored, str(path), metadata={"evidence": json.dumps(meta)})

    @classmethod
    def load(cls, path: Path, dataset_emb: np.ndarray) -> "NeighbourEvidence | None":
        """The saved index, or None when it was built for another corpus (dataset count differs).
        Tables come back in the dtypes :meth:`build` makes (int64 keys and codes, float32 means and
        sums, float64 counts): a loaded index equals the built one it was saved from."""
        with safe_open(str(path), "np") as f:
            meta = json.loads(f.metadata()["evidence"])
            if meta["n_datasets"] != len(dataset_emb):
                return None
            layout = meta.get("layout", {})           # absent: a file of the first format (plain tables)
            tables = {t: _unpack(f, t, layout.get(t)) for t in TABLES}
        return cls(meta["k"], meta["temperature"], np.ascontiguousarray(dataset_emb, np.float32),
                   subset_codes={s: i for i, s in enumerate(meta["subsets"])},
                   task_codes={t: i for i, t in enumerate(meta["tasks"])}, **tables)

    # --- neighbours -------------------------------------------------------------------------
    def neighbours(self, emb: np.ndarray, exclude_family: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """[Q, D] description embeddings and [Q] family codes to leave out (-1: none) ->
        dataset rows [Q, k], softmax weights [Q, k] (rows sum to 1) and top similarity [Q]."""
        ref = self.train_datasets
        sim = np.asarray(emb, np.float32) @ self._ref_emb.T                              # [Q, R]
        sim = np.where(self._ref_family[None, :] == np.asarray(exclude_family)[:, None], -np.inf, sim)
        k = min(self.k, len(ref))
        idx = np.argpartition(-sim, k - 1, axis=1)[:, :k] if k < len(ref) else np.tile(np.arange(k), (len(sim), 1))
        s = np.take_along_axis(sim, idx, 1)
        top = np.max(s, 1)
        w = np.exp((s - top[:, None]) / self.temperature)
        w = np.where(np.isfinite(s), w, 0.0)
        w /= np.maximum(w.sum(1, keepdims=True), 1e-12)
        return ref[idx], w.astype(np.float32), np.where(np.isfinite(top), top, 0.0).astype(np.float32)

    def for_groups(self, groups: pd.DataFrame, datasets: pd.DataFrame) -> dict[str, np.ndarray]:
        """Neighbour contexts of evaluation groups (a :func:`features.group_table`): their dataset's
        own family is left out. Returns nbr [G, k], w [G, k], top [G], subset codes [G], task
        codes [G] and family codes [G] (-1: none)."""
        rows = pd.Series(np.arange(len(datasets)), index=datasets["dataset"]).reindex(groups["dataset"]).to_numpy()
        known = ~pd.isna(rows)
        rows = np.where(known, rows, 0).astype(np.int64)
        emb = np.where(known[:, None], self.dataset_emb[rows], 0.0)
        nbr, w, top = self.neighbours(emb, np.where(known, self.dataset_family[rows], -1))
        subset = np.array([self.subset_code(s) for s in groups["subset"].astype(str)], np.int64)
        task = np.array([self.task_codes.get(str(t), -1) for t in groups["task"]], np.int64)
        return {"nbr": nbr, "w": w, "top": top, "subset": subset, "task": task,
                "family": np.where(known, self.dataset_family[rows], -1)}

    def for_rows(self, contexts: dict, model_rows: np.ndarray, groups: np.ndarray, chunk: int = 262144) -> np.ndarray:
        """Evidence [N, EVIDENCE_DIM] of N (catalog model row, group) pairs, in chunks."""
        out = np.zeros((len(model_rows), EVIDENCE_DIM), np.float32)
        for s in range(0, len(model_rows), chunk):
            g = np.asarray(groups[s:s + chunk], np.int64)
            out[s:s + chunk] = self.pairs(model_rows[s:s + chunk], contexts["nbr"][g], contexts["w"][g],
                                          contexts["top"][g], contexts["subset"][g], contexts["task"][g],
                                          contexts["family"][g])
        return out

    def subset_code(self, subset: str | None) -> int:
        return self.subset_codes.get(str(subset), NO_SUBSET) if subset else NO_SUBSET

    # --- evidence -----------------------------------------------------------------------------
    def pairs(self, model_rows: np.ndarray, nbr: np.ndarray, w: np.ndarray, top: np.ndarray,
              subset: np.ndarray, task: np.ndarray, family: np.ndarray) -> np.ndarray:
        """Evidence [N, EVIDENCE_DIM] for N (model row, context) pairs; nbr/w [N, k], top [N],
        subset, task and family codes [N] are the pairs' contexts' (see :meth:`for_groups`)."""
        n_d = len(self.dataset_emb)
        key = np.asarray(model_rows, np.int64)[:, None] * n_d + nbr                      # [N, k]
        zd, fd = _lookup(self.pair_keys, self.pair_z, key)
        sub = np.asarray(subset, np.int64)[:, None]
        zs, fs = _lookup(self.sub_keys, self.sub_z, key * len(self.subset_codes) + np.maximum(sub, 0))
        fs &= sub >= 0
        mt = np.asarray(model_rows, np.int64) * len(self.task_codes) + np.maximum(task, 0)
        s_all, found = _lookup(self.task_keys, self.task_sum, mt)
        n_all = np.where(found, _lookup(self.task_keys, self.task_n, mt)[0], 0.0)
        fk = mt * self._n_families() + np.maximum(family, 0)
        s_f, n_f = _lookup(self.fam_keys, self.fam_sum, fk)[0], _lookup(self.fam_keys, self.fam_n, fk)[0]
        own = (np.asarray(family) >= 0)
        s_t = np.where(task >= 0, s_all - np.where(own, s_f, 0), 0.0)
        n_t = np.where(task >= 0, n_all - np.where(own, n_f, 0), 0.0)
        return _combine(w, zs, fs, zd, fd, top, s_t, n_t)

    def __post_init__(self):
        # the same tables sorted by (dataset, subset) / task / (task, family) for the one-query path
        n_d, n_s, n_t = len(self.dataset_emb), len(self.subset_codes), len(self.task_codes)
        n_f = self._n_families()
        self._pair_col = _columns(self.pair_keys, self.pair_z, lambda k: (k % n_d), lambda k: k // n_d)
        self._sub_col = _columns(self.sub_keys, self.sub_z, lambda k: (k // n_s % n_d) * n_s + k % n_s,
                                 lambda k: k // n_s // n_d)
        self._task_col = _columns(self.task_keys, np.stack([self.task_sum, self.task_n], 1),
                                  lambda k: k % n_t, lambda k: k // n_t)
        self._fam_col = _columns(self.fam_keys, np.stack([self.fam_sum, self.fam_n], 1),
                                 lambda k: (k // n_f % n_t) * n_f + k % n_f, lambda k: k // n_f // n_t)
        self._ref_emb = self.dataset_emb[self.train_datasets]        # the neighbour candidates, gathered once
        self._ref_family = self.dataset_family[self.train_datasets]

    def _n_families(self) -> int:
        return int(self.dataset_family.max()) + 1 if len(self.dataset_family) else 1

    def catalog(self, n_models: int, nbr: np.ndarray, w: np.ndarray, top: float, subset: int, task: int,
                family: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Evidence [n_models, EVIDENCE_DIM] of every catalog model for one context (nbr, w [k];
        codes as in :meth:`for_groups`), or [len(rows)] for the catalog rows ``rows`` only. The
        neighbour part touches only the models scored on a neighbour (a few thousand of ~95k)."""
        if rows is None:
            place = lambda m: (m, slice(None))                        # noqa: E731 (identity)
            n_out = n_models
        else:
            pos = np.full(n_models, -1, np.int64)
            pos[rows] = np.arange(len(rows))
            place = lambda m: (pos[m][pos[m] >= 0], pos[m] >= 0)      # noqa: E731
            n_out = len(rows)
        n_s = len(self.subset_codes)
        s_t, n_t = np.zeros(n_out), np.zeros(n_out)
        if task >= 0:
            m, v = _column(self._task_col, task)
            at, keep = place(m)
            s_t[at], n_t[at] = v[keep, 0], v[keep, 1]
            if family >= 0:
                m, v = _column(self._fam_col, task * self._n_families() + family)
                at, keep = place(m)
                s_t[at] -= v[keep, 0]
                n_t[at] -= v[keep, 1]
        out = np.zeros((n_out, EVIDENCE_DIM), np.float32)
        out[:, Slot.TASK] = _task_part(s_t, n_t)
        out[:, Slot.TOP_SIM] = top
        cols_d = [_column(self._pair_col, d) for d in np.asarray(nbr, np.int64)]
        cols_s = [_column(self._sub_col, d * n_s + subset) for d in np.asarray(nbr, np.int64)] if subset >= 0 else []
        placed = [(at, z[keep]) for m, z in cols_d + cols_s for at, keep in [place(m)]]
        touched = np.unique(np.concatenate([at for at, _ in placed] + [np.zeros(0, np.int64)]))
        if not len(touched):
            return out
        shape = (len(touched), len(cols_d))
        zd, zs = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
        fd, fs = np.zeros(shape, bool), np.zeros(shape, bool)
        for j, (at, z) in enumerate(placed):
            i = np.searchsorted(touched, at)
            if j < len(cols_d):
                zd[i, j], fd[i, j] = z, True
            else:
                zs[i, j - len(cols_d)], fs[i, j - len(cols_d)] = z, True
        out[touched, Slot.NEIGHBOURS] = _neighbour_part(np.broadcast_to(np.asarray(w, np.float32), shape), zs, fs, zd, fd)
        return out


def _columns(keys, values, column_of, model_of):
    """(sorted column ids, model rows, values) of a key table, ordered by column."""
    col = column_of(keys)
    order = np.argsort(col, kind="stable")
    return col[order], model_of(keys)[order], values[order]


def _column(table, c: int) -> tuple[np.ndarray, np.ndarray]:
    """Model rows and values of column c of a :func:`_columns` table."""
    cols, rows, values = table
    lo, hi = np.searchsorted(cols, c), np.searchsorted(cols, c, side="right")
    return rows[lo:hi], values[lo:hi]


def _neighbour_part(w, zs, fs, zd, fd) -> np.ndarray:
    """Weighted means over found neighbours and their coverage -> [N, 4] (``Slot.NEIGHBOURS``)."""
    ws, wd = w * fs, w * fd
    cs, cd = ws.sum(1), wd.sum(1)
    return np.stack([(ws * zs).sum(1) / np.maximum(cs, 1e-12), cs, (wd * zd).sum(1) / np.maximum(cd, 1e-12), cd], 1)


def _task_part(s_t, n_t) -> np.ndarray:
    """Mean z over the task's datasets and its shrunk coverage -> [N, 2] (``Slot.TASK``)."""
    n_t = np.maximum(n_t, 0.0)
    return np.stack([np.where(n_t > 0, s_t / np.maximum(n_t, 1e-12), 0.0), n_t / (n_t + TASK_SHRINK)], 1)


def _combine(w, zs, fs, zd, fd, top, s_t, n_t) -> np.ndarray:
    """The evidence vectors [N, EVIDENCE_DIM] from their parts, in ``Slot`` order."""
    return np.concatenate([_neighbour_part(w, zs, fs, zd, fd), _task_part(s_t, n_t),
                           np.asarray(top, np.float32)[:, None]], 1).astype(np.float32)
