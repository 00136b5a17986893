"""A checkpoint folder: every file it holds, their names, writing and reading them.

* ``modellens.safetensors`` — the weights (safetensors: loading never unpickles);
* ``config.json``           — the :class:`RankerConfig` and the training summary;
* ``vocab.json``            — the :class:`Vocabulary` (IDs of models, datasets, tasks, ...);
* ``evidence.safetensors``  — the neighbour-evidence index over the training records (app
  checkpoint only: rebuilding it from ~1.5M records costs seconds at start-up);
* ``name_tokens.safetensors`` — the catalog's hashed name tokens (app checkpoint only; used
  while it matches the catalog's names and the bucket count, recomputed otherwise).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.torch import load_file, save_file

from .config import RankerConfig
from .evidence import NeighbourEvidence
from .model import ModelLens
from .vocab import Vocabulary, catalog_name_tokens, save_name_tokens


def build_model(cfg: RankerConfig, vocab: Vocabulary) -> ModelLens:
    """A fresh (untrained) ranker with embedding tables sized by the vocabulary."""
    return ModelLens(cfg, **vocab.sizes_of_tables())


@dataclass(frozen=True)
class Checkpoint:
    directory: Path

    WEIGHTS = "modellens.safetensors"
    CONFIG = "config.json"
    VOCAB = "vocab.json"
    EVIDENCE = "evidence.safetensors"
    NAME_TOKENS = "name_tokens.safetensors"

    def __post_init__(self):
        object.__setattr__(self, "directory", Path(self.directory))

    def path(self, name: str) -> Path:
        return self.directory / name

    # --- writing -------------------------------------------------------------------------------
    def save(self, model: ModelLens, vocab: Vocabulary, summary: dict, evidence: NeighbourEvidence | None = None,
             catalog_names: list[str] | None = None, name_tokens: np.ndarray | None = None) -> None:
        """Weights, config (with the training ``summary``) and vocabulary; with ``evidence`` and
        ``catalog_names`` (the app checkpoint) also the evidence index and the name tokens."""
        self.directory.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(self.path(self.WEIGHTS)))
        vocab.to_json(self.path(self.VOCAB))
        self.path(self.CONFIG).write_text(json.dumps({"config": model.cfg.to_dict(), "training": summary},
                                                     indent=1) + "\n")
        if evidence is not None:
            evidence.save(self.path(self.EVIDENCE))
        if catalog_names is not None:
            save_name_tokens(self.path(self.NAME_TOKENS), catalog_names, model.cfg.name_buckets, name_tokens)

    # --- reading -------------------------------------------------------------------------------
    @property
    def meta(self) -> dict:
        """``{"config": {...}, "training": {...}}`` as saved."""
        return json.loads(self.path(self.CONFIG).read_text())

    def load(self) -> tuple[ModelLens, Vocabulary, dict]:
        """The trained model (in eval mode), its vocabulary and the saved meta. Fails when a
        weight is missing or unexpected (strict loading)."""
        meta = self.meta
        cfg = RankerConfig.from_dict(meta["config"])
        vocab = Vocabulary.from_json(self.path(self.VOCAB))
        model = build_model(cfg, vocab)
        model.load_state_dict(load_file(str(self.path(self.WEIGHTS))))
        model.eval()
        return model, vocab, meta

    def evidence(self, dataset_emb: np.ndarray) -> NeighbourEvidence | None:
        """The saved evidence index, or None when there is none or it was built for another corpus."""
        path = self.path(self.EVIDENCE)
        return NeighbourEvidence.load(path, dataset_emb) if path.exists() else None

    def name_tokens(self, names: list[str], buckets: int) -> np.ndarray:
        """The catalog's hashed name tokens: saved when they match ``names`` and ``buckets``, else hashed."""
        return catalog_name_tokens(self.path(self.NAME_TOKENS), names, buckets)
