"""The query parser: a description -> the task, the data's modality and languages, the metric it
names, and how sure. Trained by ``python -m modellens_core build-parser`` (:mod:`.train`) and
shipped in ``checkpoints/parser/`` like the ranker's checkpoint.

The task is a softmax over the catalog's tasks plus the kinds of data no catalog task covers
(``uncovered:tabular``, ``uncovered:time-series``, ...), from the description's sentence embedding
and its hashed character n-grams (:mod:`.features`). Probabilities are temperature-scaled on the
training run's validation part, so "confident" (probability >= ``confident``) means what it says
on data like the training phrasings. The modality follows from the task; the languages and the
metric are read from the words (:mod:`.languages`, :mod:`.metric_words`).

    parser = QueryParser.load(CHECKPOINTS / "parser")
    parser.read("Wir wollen Telefonate transkribieren", vector)   # vector: the encoded text [384]
    # Reading(task='automatic-speech-recognition', modality='speech', languages=('de',), ...)
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from ..common.tasks import task_domain
from .features import N_HASH, ngram_ids
from .languages import read_languages
from .metric_words import explicit_metric

UNCOVERED = "uncovered:"   # class-name prefix of a kind of data no catalog task covers
MODALITY_OF_UNCOVERED = {"tabular": "tabular", "time-series": "time-series", "speech-generation": "speech"}
# tasks whose data carry no natural language unless the text names one (images, sounds, graphs)
LANGUAGE_FREE_DOMAINS = {"vision", "graph", "tabular", "time-series"}
LANGUAGE_FREE_TASKS = {"audio-classification", "audio-clustering", "zero-shot-image-classification",
                       "linear-probe-classification"}
MIN_WORDS = 3              # fewer words (or CJK characters / 2) than this: too short to read
MIN_KNOWN_NGRAMS = 0.5     # share of the text's n-grams seen in training below which it reads as gibberish
SEEN_NGRAMS = (3, 4)       # the gibberish check's n-grams (nearly every 2-gram occurs in a large text)
SEEN_BUCKETS = 1 << 20     # its own hash space: the training texts' ~200k n-grams fill a fifth of it
_WORD = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def data_modality(task: str) -> str:
    """The input modality of a task's data: text, code, vision, speech, multimodal, graph, or the
    uncovered kind's (tabular, time-series)."""
    if task.startswith(UNCOVERED):
        return MODALITY_OF_UNCOVERED.get(task[len(UNCOVERED):], "other")
    if task == "graph-property-prediction":
        return "graph"
    return task_domain(task)


@dataclass(frozen=True)
class Reading:
    """What the parser read in a description. ``task`` is the most probable COVERED task (the
    closest one when ``covered`` is False); ``probability`` that of the predicted class."""
    task: str
    probability: float
    covered: bool
    uncovered_kind: str          # "" when covered, else e.g. "tabular"
    alternatives: tuple          # ((task, probability), ...) the next covered tasks, most probable first
    modality: str
    languages: tuple             # ISO 639-1 codes of the data ("" entries never)
    multilingual: bool
    written_in: str              # ISO 639-1 of the text itself ("" when unclear)
    metric: str | None           # the metric the text names, canonical; None when it names none
    weak: bool                   # gibberish or too short: any answer is a weak guess
    confident: bool


@dataclass(frozen=True)
class ParserConfig:
    epochs: int = 300
    lr: float = 0.02
    hash_decay: float = 1e-4     # L2 on the n-gram weights: keywords must recur to count
    emb_decay: float = 1e-5
    user_weight: float = 4.0     # one written user phrasing counts as this many catalog descriptions
    val_share: float = 0.15      # of each class's texts, for early checks and the temperature
    seed: int = 0
    confident: float = 0.5       # task probability at and above which an answer is called confident

    def __post_init__(self):
        assert self.epochs > 0 and self.lr > 0 and 0 < self.val_share < 0.5 and 0 < self.confident < 1


class QueryParser:
    def __init__(self, classes: list[str], w_emb: np.ndarray, w_hash: np.ndarray, bias: np.ndarray,
                 temperature: float, seen: np.ndarray, cfg: ParserConfig, info: dict | None = None):
        """``w_emb`` [C, D], ``w_hash`` [C, N_HASH], ``bias`` [C]; ``seen`` [SEEN_BUCKETS] bool:
        the n-gram buckets of the training texts (the gibberish check)."""
        self.classes, self.cfg, self.info = list(classes), cfg, info or {}
        self.w_emb, self.w_hash_t = w_emb.astype(np.float32), np.ascontiguousarray(w_hash.T, np.float32)
        self.bias, self.temperature, self.seen = bias.astype(np.float32), float(temperature), seen.astype(bool)
        self.covered_idx = np.array([i for i, c in enumerate(self.classes) if not c.startswith(UNCOVERED)])
        self.tasks = [self.classes[i] for i in self.covered_idx]

    def logits(self, vector: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """[C] class logits of one text (its embedding [D], its n-gram ids [k]); features as in training."""
        h = self.w_hash_t[ids].sum(0) / np.sqrt(max(len(ids), 1)) if len(ids) else 0.0
        return self.w_emb @ vector + h + self.bias

    def probabilities(self, text: str, vector: np.ndarray) -> np.ndarray:
        """[C] calibrated class probabilities (sum to 1)."""
        z = self.logits(np.asarray(vector, np.float32), ngram_ids(text)) / self.temperature
        p = np.exp(z - z.max())
        return p / p.sum()

    def read(self, text: str, vector: np.ndarray) -> Reading:
        """The :class:`Reading` of a cleaned description and its encoded vector [D]."""
        p = self.probabilities(text, vector)
        best = int(np.argmax(p))
        order = self.covered_idx[np.argsort(-p[self.covered_idx], kind="stable")]
        task, cls = self.classes[order[0]], self.classes[best]
        covered = not cls.startswith(UNCOVERED)
        langs = read_languages(text)
        modality = data_modality(cls)
        codes = langs.codes
        if not langs.source == "named" and (modality in LANGUAGE_FREE_DOMAINS or task in LANGUAGE_FREE_TASKS):
            codes = ()   # pictures, sounds and graphs carry no language unless the text names one
        elif not codes and not langs.multilingual and langs.written_in:
            codes = (langs.written_in,)
        return Reading(task=task, probability=float(p[best]), covered=covered,
                       uncovered_kind="" if covered else cls[len(UNCOVERED):],
                       alternatives=tuple((self.classes[i], round(float(p[i]), 3)) for i in order[1:4]),
                       modality=modality, languages=tuple(codes), multilingual=langs.multilingual,
                       written_in=langs.written_in, metric=explicit_metric(text), weak=self.is_weak(text),
                       confident=bool(p[best] >= self.cfg.confident))

    def is_weak(self, text: str) -> bool:
        """Too short to read, or mostly character sequences never seen in training (gibberish)."""
        words = len(_WORD.findall(text)) + len(_CJK.findall(text)) // 2
        if words < MIN_WORDS:
            return True
        ids = ngram_ids(text, SEEN_NGRAMS, SEEN_BUCKETS)
        return bool(len(ids) and self.seen[ids].mean() < MIN_KNOWN_NGRAMS)

    # --- files ----------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file({"w_emb": self.w_emb, "w_hash": np.ascontiguousarray(self.w_hash_t.T).astype(np.float16),
                   "bias": self.bias, "temperature": np.array([self.temperature], np.float32),
                   "seen": np.packbits(self.seen)}, str(folder / "parser.safetensors"))
        (folder / "parser.json").write_text(json.dumps({"classes": self.classes, "config": asdict(self.cfg),
                                                        "n_hash": N_HASH, "info": self.info}, indent=1) + "\n")

    @classmethod
    def load(cls, folder: Path) -> "QueryParser":
        folder = Path(folder)
        meta = json.loads((folder / "parser.json").read_text())
        if meta["n_hash"] != N_HASH:
            raise ValueError(f"{folder}: parser built with {meta['n_hash']} n-gram buckets, code expects {N_HASH}")
        t = load_file(str(folder / "parser.safetensors"))
        return cls(meta["classes"], t["w_emb"], t["w_hash"].astype(np.float32), t["bias"], float(t["temperature"][0]),
                   np.unpackbits(t["seen"])[:SEEN_BUCKETS].astype(bool), ParserConfig(**meta["config"]), meta.get("info"))
