"""Loads the built corpus from ``assets/`` (parquet + npy; nothing is unpickled)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.encoder import dequantize


@dataclass
class Corpus:
    root: Path

    @property
    def corpus_dir(self) -> Path:
        return Path(self.root) / "corpus"

    @cached_property
    def records(self) -> pd.DataFrame:
        return pd.read_parquet(self.corpus_dir / "records.parquet")

    @cached_property
    def models(self) -> pd.DataFrame:
        return pd.read_parquet(self.corpus_dir / "models.parquet")

    @cached_property
    def datasets(self) -> pd.DataFrame:
        return pd.read_parquet(self.corpus_dir / "datasets.parquet")

    def split(self, setting: str) -> pd.Series:
        """Label per record (train / val / test). ``production`` trains on everything but the
        completion validation part, which it uses for early stopping."""
        name = "completion" if setting == "production" else setting
        labels = pd.read_parquet(self.corpus_dir / "splits" / f"{name}.parquet")["split"].astype(str)
        if setting == "production":
            labels = labels.where(labels == "val", "train")
        return labels.set_axis(self.records.index)

    def _emb(self, kind: str) -> np.ndarray:
        codes = np.load(self.corpus_dir / f"{kind}_emb_codes.npy", allow_pickle=False)
        scale = np.load(self.corpus_dir / f"{kind}_emb_scale.npy", allow_pickle=False)
        return dequantize(codes, scale)

    @cached_property
    def model_emb(self) -> np.ndarray:
        """[n_models, 384] float32, rows in ``models`` order, L2-normalised."""
        return self._emb("model")

    @cached_property
    def dataset_emb(self) -> np.ndarray:
        return self._emb("dataset")
