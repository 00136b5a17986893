"""Training the query parser: ``python -m modellens_core build-parser`` -> ``checkpoints/parser/``.

A weighted softmax regression (:class:`.model.QueryParser`) over the sentence embedding and the
hashed character n-grams of :func:`.training_set.training_texts`, full batch with Adam. A
validation part (``val_share`` of each class's texts) measures it and fits the temperature that
calibrates its probabilities; the shipped parser is then refitted on every text with that
temperature. About a minute on two cores, most of it encoding the texts.
"""
from __future__ import annotations

import time

import numpy as np
import torch

from .features import N_HASH, ngram_bags, ngram_ids
from .model import SEEN_BUCKETS, SEEN_NGRAMS, ParserConfig, QueryParser
from .training_set import training_texts

TEMPERATURES = np.exp(np.linspace(np.log(0.3), np.log(5.0), 60))   # the calibration grid


class _Softmax(torch.nn.Module):
    """logits = emb @ w_emb.T + (weighted sum of the text's n-gram rows of w_hash_t) + bias."""

    def __init__(self, n_classes: int, dim: int):
        super().__init__()
        self.emb = torch.nn.Linear(dim, n_classes)
        self.hashed = torch.nn.EmbeddingBag(N_HASH, n_classes, mode="sum")
        torch.nn.init.zeros_(self.emb.weight), torch.nn.init.zeros_(self.emb.bias), torch.nn.init.zeros_(self.hashed.weight)

    def forward(self, emb, bags):
        return self.emb(emb) + self.hashed(bags[0], bags[1], per_sample_weights=bags[2])


def _bags_of(texts: list[str], rows: np.ndarray) -> tuple:
    return ngram_bags([texts[i] for i in rows])


def _fit(emb: torch.Tensor, bags: tuple, y: torch.Tensor, w: torch.Tensor, n_classes: int,
         cfg: ParserConfig) -> _Softmax:
    """The softmax regression minimising the weighted cross-entropy plus L2 on both weight sets."""
    torch.manual_seed(cfg.seed)
    model = _Softmax(n_classes, emb.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    w = w / w.sum()
    for _ in range(cfg.epochs):
        opt.zero_grad()
        loss = (torch.nn.functional.cross_entropy(model(emb, bags), y, reduction="none") * w).sum() \
            + cfg.hash_decay * model.hashed.weight.pow(2).sum() + cfg.emb_decay * model.emb.weight.pow(2).sum()
        loss.backward()
        opt.step()
    return model


def _split(labels: np.ndarray, share: float, seed: int) -> np.ndarray:
    """[n] bool: the validation part, ``share`` of each class with at least 4 texts."""
    rng, val = np.random.default_rng(seed), np.zeros(len(labels), bool)
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        if len(idx) >= 4:
            val[rng.choice(idx, max(1, int(round(share * len(idx)))), replace=False)] = True
    return val


def train_parser(corpus, encoder, cfg: ParserConfig = ParserConfig(), log=print) -> QueryParser:
    start = time.time()
    df = training_texts(corpus, cfg.user_weight, cfg.seed)
    classes = sorted(df["label"].unique())
    y = torch.tensor(df["label"].map({c: i for i, c in enumerate(classes)}).to_numpy())
    texts = df["text"].tolist()
    emb = torch.from_numpy(np.asarray(encoder.encode(texts), np.float32))
    w = torch.tensor(df["weight"].to_numpy(), dtype=torch.float32)
    val = _split(df["label"].to_numpy(), cfg.val_share, cfg.seed)
    tr, vi = np.flatnonzero(~val), np.flatnonzero(val)
    model = _fit(emb[tr], _bags_of(texts, tr), y[tr], w[tr], len(classes), cfg)
    with torch.no_grad():
        logits = model(emb[vi], _bags_of(texts, vi)).numpy()
    yv, kind = y[vi].numpy(), df["kind"].to_numpy()[vi]
    temperature = float(TEMPERATURES[int(np.argmin([_nll(logits / t, yv) for t in TEMPERATURES]))])
    right = logits.argmax(1) == yv
    info = {"n_texts": len(df), "n_catalog": int((df["kind"] == "catalog").sum()),
            "n_user": int((df["kind"] == "user").sum()), "n_classes": len(classes),
            "val_accuracy_catalog": round(float(right[kind == "catalog"].mean()), 3),
            "val_accuracy_user": round(float(right[kind == "user"].mean()), 3), "temperature": round(temperature, 3)}
    log(f"parser validation: accuracy {info['val_accuracy_catalog']} on catalog descriptions, "
        f"{info['val_accuracy_user']} on user phrasings; temperature {temperature:.2f}")
    model = _fit(emb, _bags_of(texts, np.arange(len(texts))), y, w, len(classes), cfg)   # the shipped one sees every text
    seen = np.zeros(SEEN_BUCKETS, bool)
    for t in texts:
        seen[ngram_ids(t, SEEN_NGRAMS, SEEN_BUCKETS)] = True
    info["wall_time_s"] = round(time.time() - start, 1)
    return QueryParser(classes, model.emb.weight.detach().numpy(), model.hashed.weight.detach().numpy().T,
                       model.emb.bias.detach().numpy(), temperature, seen, cfg, info)


def _nll(logits: np.ndarray, y: np.ndarray) -> float:
    z = logits - logits.max(1, keepdims=True)
    return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(1))).mean())
