"""The parser's training texts: the catalog's dataset descriptions (labelled with their task) and
the written user phrasings of ``phrasings.yaml`` (each in a short, a plain and a long form).

The descriptions of datasets held out for evaluation (records in the new-datasets test part) are
never included: the practitioner evaluation describes those datasets in users' words and must
meet them as new. ``training_texts(corpus)`` -> a DataFrame (text, label, weight, kind).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

PHRASINGS = Path(__file__).with_name("phrasings.yaml")
HELDOUT_SETTING = "new_datasets"   # whose test datasets stay out of the parser's training
MAX_DESCRIPTION_CHARS = 600        # catalog cards run long; users paste a paragraph
# context sentences for the long forms: they add length and noise without naming a task
_CONTEXT = {
    "en": ["We have about 20,000 labelled examples.", "Which pretrained model should we start from?",
           "The data comes from our company's internal systems.", "Latency matters, so smaller models are welcome."],
    "de": ["Wir haben etwa 20.000 Beispiele.", "Welches vortrainierte Modell sollten wir nehmen?"],
    "fr": ["Nous avons environ 20 000 exemples.", "Quel modèle pré-entraîné choisir ?"],
    "es": ["Tenemos unos 20.000 ejemplos.", "¿Qué modelo preentrenado deberíamos usar?"],
    "zh": ["我们大约有两万条数据。", "应该选择哪个预训练模型？"],
}
_CLAUSE = re.compile(r"[,;:(，；：（]")


def heldout_datasets(corpus) -> set[str]:
    """Datasets with records in the new-datasets test part."""
    labels = corpus.split(HELDOUT_SETTING)
    return set(corpus.records.loc[labels.to_numpy() == "test", "dataset"].unique())


def phrasings(path: Path = PHRASINGS) -> pd.DataFrame:
    """(text, label, language) of every written phrasing."""
    rows = [(t.strip(), label, lang) for label, by_lang in yaml.safe_load(Path(path).read_text()).items()
            for lang, texts in by_lang.items() for t in texts]
    return pd.DataFrame(rows, columns=["text", "label", "language"])


def forms(text: str, language: str, rng: np.random.Generator) -> list[str]:
    """The plain sentence, its first clause (when shorter and >= 2 words or 4 characters), and a
    long form with a context sentence before or after."""
    out = [text]
    short = _CLAUSE.split(text)[0].strip(" .。")
    if short != text.strip(" .。") and (len(short.split()) >= 2 or len(short) >= 4):
        out.append(short)
    ctx = _CONTEXT.get(language, _CONTEXT["en"])
    extra = ctx[int(rng.integers(len(ctx)))]
    out.append(f"{extra} {text}" if rng.random() < 0.5 else f"{text} {extra}")
    return out


def training_texts(corpus, user_weight: float, seed: int = 0) -> pd.DataFrame:
    """Catalog descriptions (weight 1, their classes balanced towards the square root of their
    size) and user phrasings (weight ``user_weight`` per phrasing, shared by its forms)."""
    rng = np.random.default_rng(seed)
    out = corpus.datasets.loc[~corpus.datasets["dataset"].isin(heldout_datasets(corpus))]
    known = set(corpus.records["task"].unique())   # tasks the ranker can rank for
    out = out.loc[out["task"].isin(known)]
    text = (out["name"].astype(str) + ": " + out["description"].fillna("").astype(str)).str.slice(0, MAX_DESCRIPTION_CHARS)
    cat = pd.DataFrame({"text": text.to_numpy(), "label": out["task"].to_numpy(), "kind": "catalog"})
    size = cat["label"].map(cat["label"].value_counts())
    cat["weight"] = 1.0 / np.sqrt(size)   # a class's total weight grows with the square root of its size
    rows = []
    for p in phrasings().itertuples():
        f = forms(p.text, p.language, rng)
        rows += [(t, p.label, "user", user_weight / len(f)) for t in f]
    user = pd.DataFrame(rows, columns=["text", "label", "kind", "weight"])
    bad = set(user["label"]) - known - {lbl for lbl in user["label"] if lbl.startswith("uncovered:")}
    if bad:
        raise ValueError(f"phrasings.yaml names tasks the corpus has no records for: {sorted(bad)}")
    return pd.concat([cat, user], ignore_index=True)
