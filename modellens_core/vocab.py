"""Vocabulary and feature maps of the ranker (in the spirit of LightFM's ``Dataset``).

It owns every integer id the model sees. Row 0 of every table is the trained ``[UNK]`` row:
unseen models, datasets, tasks, metrics and rare families map there, never to an untrained
or clamped row. Model names are also split into tokens hashed into ``name_buckets`` rows, so
an unseen name still gets a name view.
"""
from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .catalog import SIZE_BUCKET_LABELS
from .tasks import DOMAINS, task_domain

UNK = "[UNK]"
MAX_NAME_TOKENS = 16
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?[bmk]?")


def name_tokens(name: str) -> list[str]:
    """Lowercase word and number tokens of a model id, org included ("org:meta-llama")."""
    name = str(name).lower()
    org, _, base = name.rpartition("/")
    toks = _TOKEN.findall(base)
    return ([f"org:{org}"] if org else []) + toks + [f"{a}_{b}" for a, b in zip(toks, toks[1:])]


def hash_tokens(names: list[str], buckets: int) -> np.ndarray:
    """[N, MAX_NAME_TOKENS] int64 bucket ids in 1..buckets-1, 0 = padding."""
    out = np.zeros((len(names), MAX_NAME_TOKENS), dtype=np.int64)
    for i, n in enumerate(names):
        toks = name_tokens(n)[:MAX_NAME_TOKENS]
        out[i, :len(toks)] = [1 + zlib.crc32(t.encode()) % (buckets - 1) for t in toks]
    return out


@dataclass
class Vocabulary:
    models: list[str]
    datasets: list[str]
    tasks: list[str]
    metrics: list[str]
    families: list[str]

    sizes = list(SIZE_BUCKET_LABELS)
    domains = list(DOMAINS)

    @classmethod
    def build(cls, train: pd.DataFrame, model_catalog: pd.DataFrame, min_family_count: int) -> "Vocabulary":
        """Ids for everything seen in the training records (sorted: deterministic)."""
        trained = model_catalog[model_catalog["model"].isin(set(train["model"]))]
        fam_counts = trained["family"].value_counts()
        return cls(models=[UNK] + sorted(train["model"].unique()),
                   datasets=[UNK] + sorted(train["dataset"].unique()),
                   tasks=[UNK] + sorted(train["task"].unique()),
                   metrics=[UNK] + sorted(train["metric"].unique()),
                   families=[UNK] + sorted(fam_counts[fam_counts >= min_family_count].index))

    def _lookup(self, table: str, values) -> np.ndarray:
        """Ids of ``values`` in the table named ``table`` (0 = [UNK] for anything not in it).
        The name -> id maps are built on first use and kept (the tables never change)."""
        maps = self.__dict__.setdefault("_maps", {})
        index = maps.get(table)
        if index is None:
            index = maps[table] = {v: i for i, v in enumerate(getattr(self, table))}
        values = list(values)
        return np.fromiter((index.get(v, 0) for v in values), dtype=np.int64, count=len(values))

    def model_idx(self, names) -> np.ndarray:
        return self._lookup("models", names)

    def dataset_idx(self, names) -> np.ndarray:
        return self._lookup("datasets", names)

    def task_idx(self, names) -> np.ndarray:
        return self._lookup("tasks", names)

    def metric_idx(self, names) -> np.ndarray:
        return self._lookup("metrics", names)

    def family_idx(self, names) -> np.ndarray:
        return self._lookup("families", names)

    def size_idx(self, buckets) -> np.ndarray:
        return self._lookup("sizes", buckets)

    def domain_idx(self, tasks) -> np.ndarray:
        return self._lookup("domains", [task_domain(t) for t in tasks])

    def sizes_of_tables(self) -> dict:
        return {"n_models": len(self.models), "n_datasets": len(self.datasets), "n_tasks": len(self.tasks),
                "n_metrics": len(self.metrics), "n_families": len(self.families),
                "n_sizes": len(self.sizes), "n_domains": len(self.domains)}

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps({"models": self.models, "datasets": self.datasets, "tasks": self.tasks,
                                          "metrics": self.metrics, "families": self.families}, indent=0) + "\n")

    @classmethod
    def from_json(cls, path: Path) -> "Vocabulary":
        d = json.loads(Path(path).read_text())
        return cls(**{k: d[k] for k in ("models", "datasets", "tasks", "metrics", "families")})
