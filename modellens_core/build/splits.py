"""The four evaluation settings, each a train/val/test label per record.

* completion: in groups with >= 20 models, 20% of the models' scores -> test, and 10% of the
  rest -> val (the same way), the remainder -> train.
* new_datasets: ~10% of dataset *families* -> test (all subsets/languages/subtasks, from any
  source), stratified by (main source, task); another ~10% -> val.
* new_models: the newest ~7% of models with records and a known date -> test, the next ~7%
  -> val; all their records.
* heldout_families: modern LLM families (qwen, llama, mistral, gemma, phi) -> test; another
  set of families (deepseek, yi, falcon, internlm) -> val.
All seeded; labels are written to ``assets/corpus/splits/<setting>.parquet`` (one row per
record, in records.parquet order).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SETTINGS = ("completion", "new_datasets", "new_models", "heldout_families")
TEST_FAMILIES = ("qwen", "llama", "mistral", "gemma", "phi")
VAL_FAMILIES = ("deepseek", "yi", "falcon", "internlm")


def _hash_uniform(keys: pd.Series, seed: int) -> np.ndarray:
    """Deterministic uniform [0, 1) per key, independent of row order."""
    h = pd.util.hash_pandas_object(keys.astype(str) + f"|{seed}", index=False).to_numpy()
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def completion_split(rec: pd.DataFrame, seed: int, min_models: int = 20,
                     test_frac: float = 0.2, val_frac: float = 0.1) -> pd.Series:
    u = _hash_uniform(rec["model"] + "#" + rec["group"].astype(str), seed)
    big = (rec["group_size"] >= min_models).to_numpy()
    out = np.full(len(rec), "train", dtype=object)
    out[big & (u < test_frac)] = "test"
    out[big & (u >= test_frac) & (u < test_frac + val_frac * (1 - test_frac))] = "val"
    return pd.Series(out, index=rec.index)


def new_datasets_split(rec: pd.DataFrame, datasets: pd.DataFrame, seed: int,
                       test_frac: float = 0.1, val_frac: float = 0.1) -> pd.Series:
    fam_of = datasets.set_index("dataset")["family"]
    fam = rec["dataset"].map(fam_of).fillna(rec["dataset"])
    # stratum of a family: its main source and task (most records)
    by = pd.DataFrame({"family": fam, "source": rec["source"], "task": rec["task"]})
    strata = by.groupby("family")[["source", "task"]].agg(lambda s: s.value_counts().index[0])
    strata["u"] = _hash_uniform(pd.Series(strata.index, index=strata.index), seed)
    label = pd.Series("train", index=strata.index, dtype=object)
    for _, part in strata.groupby(["source", "task"], sort=True):
        order = part.sort_values("u").index
        n = len(order)
        n_test = int(round(test_frac * n)) if n >= 5 else int(part["u"].iloc[0] < test_frac)
        n_val = int(round(val_frac * n)) if n >= 5 else 0
        label[order[:n_test]] = "test"
        label[order[n_test:n_test + n_val]] = "val"
    return fam.map(label)


def new_models_split(rec: pd.DataFrame, models: pd.DataFrame, frac: float = 0.07) -> pd.Series:
    with_rec = models[models["has_records"]].copy()
    with_rec["date"] = pd.to_datetime(with_rec["release_date"], errors="coerce", utc=True)
    dated = with_rec.dropna(subset=["date"]).sort_values(["date", "model"], ascending=[False, True])
    n = int(round(frac * len(with_rec)))
    label = pd.Series("train", index=with_rec["model"].to_numpy(), dtype=object)
    label[dated["model"].iloc[:n].to_numpy()] = "test"
    label[dated["model"].iloc[n:2 * n].to_numpy()] = "val"
    return rec["model"].map(label).fillna("train")


def heldout_families_split(rec: pd.DataFrame, models: pd.DataFrame) -> pd.Series:
    fam = rec["model"].map(models.set_index("model")["family"]).fillna("")
    out = np.full(len(rec), "train", dtype=object)
    out[fam.isin(TEST_FAMILIES).to_numpy()] = "test"
    out[fam.isin(VAL_FAMILIES).to_numpy()] = "val"
    return pd.Series(out, index=rec.index)


def make_splits(rec: pd.DataFrame, models: pd.DataFrame, datasets: pd.DataFrame, seed: int) -> dict:
    return {
        "completion": completion_split(rec, seed),
        "new_datasets": new_datasets_split(rec, datasets, seed),
        "new_models": new_models_split(rec, models),
        "heldout_families": heldout_families_split(rec, models),
    }
