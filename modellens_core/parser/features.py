"""The parser's input: the description's sentence embedding next to hashed character n-grams.

Why n-grams: the text encoder is English-only, so "Spracherkennung", "语音识别" or "WER" carry
little in its vector; hashed n-grams let the classifier learn such keywords from the written
phrasings (``phrasings.yaml``) in any script. ``ngram_ids("speech")`` -> sorted unique ids in
``[0, N_HASH)``; a crc32 hash, so ids are stable across processes and machines.
"""
from __future__ import annotations

import re
import zlib

import numpy as np
import torch

N_HASH = 1 << 15      # hashed n-gram buckets: collisions are rare at ~30k distinct n-grams of the training text
NGRAMS = (2, 3, 4)    # characters; 2-grams carry most of the meaning in Chinese, 3-4 in alphabetic scripts
_SPACE = re.compile(r"\s+")


def ngram_ids(text: str, sizes: tuple = NGRAMS, buckets: int = N_HASH) -> np.ndarray:
    """Sorted unique hashed ids [k] in ``[0, buckets)`` of the lower-cased text's character n-grams
    of the given ``sizes`` (words padded by spaces)."""
    t = " " + _SPACE.sub(" ", str(text).lower()).strip() + " "
    grams = {t[i:i + n] for n in sizes for i in range(len(t) - n + 1)}
    grams.discard("  ")
    return np.unique(np.fromiter((zlib.crc32(g.encode()) % buckets for g in grams), np.int64, len(grams)))


def ngram_bags(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(ids [total], offsets [len(texts)], weights [total]) for ``torch.nn.EmbeddingBag(mode="sum")``:
    each text's n-gram ids with weight 1/sqrt(k), so long and short texts weigh alike."""
    rows = [ngram_ids(t) for t in texts]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in rows])[:-1]]).astype(np.int64)
    ids = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    w = np.concatenate([np.full(len(r), 1 / np.sqrt(max(len(r), 1)), np.float32) for r in rows]) if rows \
        else np.zeros(0, np.float32)
    return torch.from_numpy(ids), torch.from_numpy(offsets), torch.from_numpy(w)
