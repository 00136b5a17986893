"""Tensors the ranker reads: model features for catalog rows, context features for groups."""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..build.catalog import size_bucket
from .vocab import Vocabulary, hash_tokens


def size_features(params_b) -> np.ndarray:
    """[N, 2] float32: log10(parameters in billions) (0 when unknown) and 1/0 "size is known"."""
    p = pd.to_numeric(pd.Series(list(params_b), dtype=object), errors="coerce").to_numpy(np.float64)
    known = np.isfinite(p) & (p > 0)
    logp = np.log10(np.where(known, p, 1.0))
    return np.stack([logp, known.astype(np.float64)], 1).astype(np.float32)


def model_features(vocab: Vocabulary, names: list[str], desc: np.ndarray, params_b, family,
                   buckets: int, tokens: np.ndarray | None = None) -> dict[str, torch.Tensor]:
    """Features of N models: ids (0 = [UNK] when not in the vocabulary), hashed name tokens
    (``tokens`` [N, MAX_NAME_TOKENS] when already hashed), description vectors [N, text_dim],
    size-bucket ids and size features from parameters in billions (NaN = unknown), and family ids."""
    params = pd.to_numeric(pd.Series(list(params_b), dtype=object), errors="coerce")  # read once, used twice
    return {"mid": torch.from_numpy(vocab.model_idx(names)),
            "tokens": torch.from_numpy(hash_tokens(list(names), buckets) if tokens is None else tokens),
            "desc": torch.from_numpy(np.ascontiguousarray(desc, dtype=np.float32)),
            "size": torch.from_numpy(vocab.size_idx(size_bucket(params).tolist())),
            "logp": torch.from_numpy(size_features(params)),
            "family": torch.from_numpy(vocab.family_idx(list(family)))}


def context_features(vocab: Vocabulary, datasets: list[str], desc: np.ndarray, tasks, metrics,
                     subsets=None) -> dict:
    """Features of B evaluation contexts (dataset, task, metric, subset; subsets None = none given)."""
    tasks, metrics = list(tasks), list(metrics)
    subsets = [""] * len(tasks) if subsets is None else list(subsets)
    return {"did": torch.from_numpy(vocab.dataset_idx(datasets)),
            "desc": torch.from_numpy(np.ascontiguousarray(desc, dtype=np.float32)),
            "task": torch.from_numpy(vocab.task_idx(tasks)),
            "metric": torch.from_numpy(vocab.metric_idx(metrics)),
            "domain": torch.from_numpy(vocab.domain_idx(tasks)),
            "subset": torch.from_numpy(vocab.subset_idx(subsets))}


def catalog_features(vocab: Vocabulary, corpus, buckets: int) -> dict[str, torch.Tensor]:
    m = corpus.models
    return model_features(vocab, m["model"].tolist(), corpus.model_emb, m["params_b"], m["family"], buckets)


def group_table(records: pd.DataFrame) -> pd.DataFrame:
    """One row per group id: dataset, subset, task, metric (records' group ids are 0..G-1)."""
    return records.groupby("group", sort=True)[["dataset", "subset", "task", "metric"]].first()


def group_context(vocab: Vocabulary, corpus, groups: pd.DataFrame) -> dict[str, torch.Tensor]:
    d_index = pd.Series(np.arange(len(corpus.datasets)), index=corpus.datasets["dataset"])
    rows = d_index.reindex(groups["dataset"]).to_numpy()
    desc = np.zeros((len(groups), corpus.dataset_emb.shape[1]), dtype=np.float32)
    ok = ~pd.isna(rows)
    desc[ok] = corpus.dataset_emb[rows[ok].astype(int)]
    return context_features(vocab, groups["dataset"].tolist(), desc, groups["task"], groups["metric"],
                            groups["subset"])


def take(feats: dict[str, torch.Tensor], idx: torch.Tensor) -> dict[str, torch.Tensor]:
    """Gather rows ``idx`` (any shape) of every feature tensor."""
    return {k: v[idx] for k, v in feats.items()}
