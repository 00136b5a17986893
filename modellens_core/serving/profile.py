"""Model profiles: predicted strength per task domain, observed scores, size and family.

**Predicted strength** of a model in a task domain = the mean of the ranker's predicted z (the
``z`` head: predicted within-group standard score, higher is better, 0 = an average model on
that benchmark) over every known dataset of that domain, each in its own context (its id,
description vector, task and main metric). It answers "how does the ranker expect this model to
place, on a typical benchmark of this domain?". ``spread`` is the standard deviation across
those datasets. The structural ``prior`` (size, family and domain only) is reported beside it.
Dataset contexts are computed once per Recommender and cached (a few thousand rows at most).
"""
from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from ..common.tasks import DOMAINS
from ..ranker.features import context_features
from .inputs import MAX_NAME_CHARS, InputError, clean_text
from .recommender import Recommender

MAX_MODELS = 4
MAX_OBSERVED_PER_MODEL = 500
FACT_COLUMNS = ["model", "params_b", "family", "modality", "open_weights", "n_records", "n_datasets", "seen"]
STRENGTH_COLUMNS = ["model", "domain", "strength", "spread", "n_datasets", "prior"]
OBSERVED_COLUMNS = ["model", "dataset", "subset", "task", "metric", "score", "higher_is_better", "z", "source"]

_contexts: "weakref.WeakKeyDictionary[Recommender, tuple]" = weakref.WeakKeyDictionary()


def find_models(recommender: Recommender, names) -> tuple[list[str], list[str], list[str]]:
    """Catalog names for the given spellings (aliases and case-insensitive matches accepted),
    the names not found, and notices. At most ``MAX_MODELS`` distinct models are kept."""
    names = [names] if isinstance(names, str) else list(names or [])
    found, missing, notices = [], [], []
    for n in names:
        text = clean_text(n, MAX_NAME_CHARS)[0]
        if not text:
            continue
        row = recommender.resolver.row(text)
        if row is not None:
            m = recommender.catalog["model"].iat[row]
            if m not in found:
                found.append(m)
        else:
            missing.append(text)
    if len(found) > MAX_MODELS:
        notices.append(f"{len(found)} models given; only the first {MAX_MODELS} are compared.")
        found = found[:MAX_MODELS]
    return found, missing, notices


def suggest(recommender: Recommender, text: str, n: int = 5) -> list[str]:
    """Catalog models whose name contains ``text`` (case-insensitive), most-evaluated first; when
    none does, the closest names (typo-tolerant, :meth:`NameResolver.suggest`)."""
    key = clean_text(text, MAX_NAME_CHARS)[0].lower()
    if not key:
        return []
    cat = recommender.catalog
    hit = cat[cat["model"].str.lower().str.contains(key, regex=False)]
    if hit.empty:
        return recommender.resolver.suggest(key, n)
    return hit.sort_values(["n_records", "model"], ascending=[False, True])["model"].head(n).tolist()


def model_facts(recommender: Recommender, models: list[str]) -> pd.DataFrame:
    """Size (billions of parameters), family, modality, openness and record counts per model."""
    cat = recommender.catalog.set_index("model")
    out = cat.loc[models, [c for c in FACT_COLUMNS if c not in ("model", "seen")]].reset_index()
    out["seen"] = [bool(recommender.side.seen[recommender.resolver.index[m]]) for m in models]
    return out[FACT_COLUMNS]


def _dataset_contexts(recommender: Recommender):
    """The engine's context side of every known dataset (its id, description, task and main
    metric) and its neighbour context for the evidence input (own family left out); cached."""
    hit = _contexts.get(recommender)
    if hit is not None:
        return hit
    ds = recommender.datasets
    metrics = [recommender.reader.dataset_metric.get(d, "accuracy") for d in ds["dataset"]]
    ctx = context_features(recommender.vocab, ds["dataset"].tolist(), recommender.dataset_emb, ds["task"], metrics)
    hit = (recommender.engine.context_side(ctx), ds["domain"].astype(str).to_numpy(),
           recommender.evidence.for_groups(ds.assign(subset=""), ds))
    _contexts[recommender] = hit
    return hit


def domain_strength(recommender: Recommender, models: list[str]) -> pd.DataFrame:
    """One row per (model, domain with known datasets): strength (mean predicted z, higher is
    better), spread (its std across datasets), n_datasets, prior (structural prior, score units)."""
    if not models:
        return pd.DataFrame(columns=STRENGTH_COLUMNS)
    cs, dom, nbr = _dataset_contexts(recommender)
    rows = np.array([recommender.resolver.index[m] for m in models])
    n_d = len(dom)
    m_idx, d_idx = np.repeat(rows, n_d), np.tile(np.arange(n_d), len(rows))
    z = recommender.engine.pairs(recommender.side, cs, m_idx, d_idx,
                                 recommender.evidence.for_rows(nbr, m_idx, d_idx)).z.reshape(len(rows), n_d)
    out = []
    for d in DOMAINS:
        cols = np.flatnonzero(dom == d)
        if not len(cols):
            continue
        zd = z[:, cols]
        for i, m in enumerate(models):
            out.append({"model": m, "domain": d, "strength": float(zd[i].mean()),
                        "spread": float(zd[i].std()), "n_datasets": int(len(cols)),
                        "prior": float(recommender.side.prior[rows[i], DOMAINS.index(d)])})
    return pd.DataFrame(out, columns=STRENGTH_COLUMNS)


def observed_scores(recommender: Recommender, models: list[str], limit: int = MAX_OBSERVED_PER_MODEL) -> pd.DataFrame:
    """Leaderboard records of the models: raw score (in the metric's unit; see higher_is_better)
    and its within-group z (higher is better). Best z first per model, ``limit`` rows each."""
    rec = recommender.corpus.records
    sub = rec[rec["model"].isin(models)]
    if sub.empty:
        return pd.DataFrame(columns=OBSERVED_COLUMNS)
    order = {m: i for i, m in enumerate(models)}
    sub = sub.assign(_o=sub["model"].map(order)).sort_values(["_o", "z", "dataset"], ascending=[True, False, True])
    return sub.groupby("model", sort=False).head(limit)[OBSERVED_COLUMNS].reset_index(drop=True)


def profile(recommender: Recommender, names) -> dict:
    """Everything the profile view shows: facts, strengths, observed scores, notices.
    Raises InputError when no given name is in the catalog."""
    found, missing, notices = find_models(recommender, names)
    for n in missing:
        alt = suggest(recommender, n)
        notices.append(f"'{n}' is not in the catalog" + (f"; did you mean: {', '.join(alt)}?" if alt else "."))
    if not found:
        if missing:
            raise InputError(" ".join(notices))
        raise InputError("Pick up to 4 models to profile (type to search the catalog).")
    return {"models": found, "facts": model_facts(recommender, found),
            "strength": domain_strength(recommender, found),
            "observed": observed_scores(recommender, found), "notices": notices}
