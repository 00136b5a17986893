"""Vocabulary and feature maps of the ranker (in the spirit of LightFM's ``Dataset``).

It owns every integer id the model sees. Row 0 of every table is the trained ``[UNK]`` row:
unseen models, datasets, tasks, metrics and rare families map there, never to an untrained
or clamped row. Model names are also split into tokens hashed into ``name_buckets`` rows, so
an unseen name still gets a name view. Subsets of an evaluation group (languages such as
``hin_Deva-eng_Latn``, configs such as ``5-shot``) are split into tokens with their own
vocabulary of the tokens seen in training; unknown subset tokens are left out (an all-unknown
subset reads as "no subset given", which training also sees through subset dropout).
"""
from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..build.catalog import SIZE_BUCKET_LABELS
from ..common.tasks import DOMAINS, task_domain

UNK = "[UNK]"
MAX_NAME_TOKENS = 16
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?[bmk]?")


def name_tokens(name: str) -> list[str]:
    """Lowercase word and number tokens of a model id, org included ("org:meta-llama")."""
    name = str(name).lower()
    org, _, base = name.rpartition("/")
    toks = _TOKEN.findall(base)
    return ([f"org:{org}"] if org else []) + toks + [f"{a}_{b}" for a, b in zip(toks, toks[1:])]


MAX_SUBSET_TOKENS = 8
_SUBSET_UNIT = re.compile(r"[^a-z0-9_]+")
_ISO1_TO_3 = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
              "ru": "rus", "zh": "zho", "ja": "jpn", "ko": "kor", "ar": "ara", "hi": "hin", "pl": "pol",
              "tr": "tur", "vi": "vie", "sv": "swe", "da": "dan", "fi": "fin", "no": "nor", "nb": "nob",
              "cs": "ces", "el": "ell", "he": "heb", "id": "ind", "th": "tha", "uk": "ukr", "fa": "fas",
              "bn": "ben", "ta": "tam", "te": "tel", "ur": "urd", "ro": "ron", "hu": "hun", "bg": "bul"}


def subset_tokens(subset: str) -> list[str]:
    """Tokens of a group's subset, e.g. "hin_Deva-eng_Latn" -> [hin, deva, hin_deva, eng, latn,
    eng_latn]; two-letter ISO 639-1 language codes are mapped to their 639-3 form ("fr" -> "fra")
    so that sources writing languages either way share tokens."""
    out: list[str] = []
    for unit in _SUBSET_UNIT.split(str(subset).lower()):
        parts = [_ISO1_TO_3.get(w, w) for w in unit.split("_") if w]
        out += parts + (["_".join(parts)] if len(parts) > 1 else [])
    return list(dict.fromkeys(out))  # unique, in order


def hash_tokens(names: list[str], buckets: int) -> np.ndarray:
    """[N, MAX_NAME_TOKENS] int64 bucket ids in 1..buckets-1, 0 = padding."""
    out = np.zeros((len(names), MAX_NAME_TOKENS), dtype=np.int64)
    for i, n in enumerate(names):
        toks = name_tokens(n)[:MAX_NAME_TOKENS]
        out[i, :len(toks)] = [1 + zlib.crc32(t.encode()) % (buckets - 1) for t in toks]
    return out


def names_key(names: list[str], buckets: int) -> str:
    """A checksum of a name list and bucket count: which catalog a saved token table belongs to."""
    return f"{len(names)}:{buckets}:{zlib.crc32(chr(10).join(map(str, names)).encode()):08x}"


def save_name_tokens(path: Path, names: list[str], buckets: int, tokens: np.ndarray | None = None) -> None:
    """:func:`hash_tokens` of a catalog (``tokens`` when already hashed), saved (safetensors, int16:
    buckets <= 32768) so that loading the app does not re-tokenise ~95k names (~1 s)."""
    from safetensors.numpy import save_file
    tokens = hash_tokens(names, buckets) if tokens is None else np.asarray(tokens)
    save_file({"tokens": tokens.astype(np.int16)}, str(path),
              metadata={"names": names_key(names, buckets)})


def catalog_name_tokens(path: Path, names: list[str], buckets: int) -> np.ndarray:
    """The saved token table when it was made for exactly these names and buckets, else computed."""
    from safetensors import safe_open
    if buckets <= 32768 and Path(path).exists():
        with safe_open(str(path), framework="numpy") as f:
            if (f.metadata() or {}).get("names") == names_key(names, buckets):
                return f.get_tensor("tokens").astype(np.int64)
    return hash_tokens(names, buckets)


@dataclass
class Vocabulary:
    models: list[str]
    datasets: list[str]
    tasks: list[str]
    metrics: list[str]
    families: list[str]
    subset_tokens: list[str]

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
                   families=[UNK] + sorted(fam_counts[fam_counts >= min_family_count].index),
                   subset_tokens=[UNK] + sorted({t for s in train["subset"].unique() for t in subset_tokens(s)}))

    def _index(self, table: str) -> dict:
        """The name -> id map of the table named ``table``, built on first use and kept."""
        maps = self.__dict__.setdefault("_maps", {})
        if table not in maps:
            maps[table] = {v: i for i, v in enumerate(getattr(self, table))}
        return maps[table]

    def _lookup(self, table: str, values) -> np.ndarray:
        """Ids of ``values`` in the table named ``table`` (0 = [UNK] for anything not in it).
        The name -> id maps are built on first use and kept (the tables never change)."""
        index = self._index(table)
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

    def subset_idx(self, subsets) -> np.ndarray:
        """[B, MAX_SUBSET_TOKENS] ids of the known tokens of each subset (0 = padding)."""
        index = self._index("subset_tokens")
        subsets = list(subsets)
        out = np.zeros((len(subsets), MAX_SUBSET_TOKENS), dtype=np.int64)
        for i, s in enumerate(subsets):
            ids = [index[t] for t in subset_tokens(s) if t in index and index[t] > 0][:MAX_SUBSET_TOKENS]
            out[i, :len(ids)] = ids
        return out

    def sizes_of_tables(self) -> dict:
        return {"n_models": len(self.models), "n_datasets": len(self.datasets), "n_tasks": len(self.tasks),
                "n_metrics": len(self.metrics), "n_families": len(self.families),
                "n_subset_tokens": len(self.subset_tokens),
                "n_sizes": len(self.sizes), "n_domains": len(self.domains)}

    def to_json(self, path: Path) -> None:
        Path(path).write_text(json.dumps({"models": self.models, "datasets": self.datasets, "tasks": self.tasks,
                                          "metrics": self.metrics, "families": self.families,
                                          "subset_tokens": self.subset_tokens}, indent=0) + "\n")

    @classmethod
    def from_json(cls, path: Path) -> "Vocabulary":
        d = json.loads(Path(path).read_text())
        return cls(**{k: d[k] for k in ("models", "datasets", "tasks", "metrics", "families", "subset_tokens")})
