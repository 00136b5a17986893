"""Model profiles: predicted strength per task domain, observed scores, size and family.

**Predicted strength** of a model in a task domain = the mean of the ranker's predicted z (the
``z`` head: predicted within-group standard score, higher is better, 0 = an average model on
that benchmark) over every known dataset of that domain, each in its own context (its id,
description vector, task and main metric). It answers "how does the ranker expect this model to
place, on a typical benchmark of this domain?". ``spread`` is the standard deviation across
those datasets. The structural ``prior`` (size, family and domain only) is reported beside it.
Dataset contexts are computed once per Recommender and cached (a few thousand rows at most).

**Evidence** for a (model, domain): the model's leaderboard records on datasets of that domain, or
the catalog's modality of the model being that domain. A strength without either is the ranker
extrapolating (``basis`` = "extrapolation"); the UI marks those bars instead of presenting them
like the others.
"""
from __future__ import annotations

import re
import weakref

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..common.tasks import DOMAINS, task_domain
from ..ranker.features import context_features
from .inputs import MAX_NAME_CHARS, InputError, clean_text
from .recommender import Recommender

MAX_MODELS = 4
MAX_OBSERVED_PER_MODEL = 500
FACT_COLUMNS = ["model", "params_b", "family", "modality", "open_weights", "n_records", "n_datasets", "seen"]
STRENGTH_COLUMNS = ["model", "domain", "strength", "spread", "n_datasets", "prior", "n_records", "basis"]
MAX_SEARCH_RESULTS = 50
SEARCH_FUZZY_CUTOFF = 70   # rapidfuzz WRatio (0-100) below which a fuzzy hit is no search result
OBSERVED_COLUMNS = ["model", "dataset", "subset", "task", "metric", "score", "higher_is_better", "z", "source"]

_contexts: "weakref.WeakKeyDictionary[Recommender, tuple]" = weakref.WeakKeyDictionary()
_search_index: "weakref.WeakKeyDictionary[Recommender, tuple]" = weakref.WeakKeyDictionary()
_TOKEN = re.compile(r"[a-z0-9]+")


def _index(recommender: Recommender) -> tuple[list[str], list[str], np.ndarray]:
    """Lower-cased names, the same with punctuation as spaces, and each row's popularity rank
    (0 = most records, then most Hub downloads); cached per Recommender."""
    hit = _search_index.get(recommender)
    if hit is None:
        cat = recommender.catalog
        lower = cat["model"].str.lower().tolist()
        use = cat["n_records"].fillna(0).to_numpy(np.float64) * 1e12
        if "popularity" in cat:
            use = use + cat["popularity"].fillna(0).to_numpy(np.float64)
        rank = np.empty(len(cat), dtype=np.int64)
        rank[np.argsort(-use, kind="stable")] = np.arange(len(cat))
        hit = (lower, [" ".join(_TOKEN.findall(n)) for n in lower], rank)
        _search_index[recommender] = hit
    return hit


def search_models(recommender: Recommender, text, n: int = 10) -> list[str]:
    """Up to ``n`` catalog names for what a user typed, over the WHOLE catalog, best first:

    1. the name or alias the text spells (any case);
    2. names containing the text (case-insensitive; where it starts a word first), then names containing every word of it (words
       = runs of letters and digits, so "vit base patch16" finds "google/vit-base-patch16-224"),
       each group most-used first (records, then Hub popularity);
    3. when nothing matched so far: typo-tolerant matches (rapidfuzz WRatio >= ``SEARCH_FUZZY_CUTOFF``
       on the lower-cased name, best first), e.g. "gogle/vit-bse-patch16" finds the same model.
    """
    key = clean_text(text, MAX_NAME_CHARS)[0].lower() if text is not None else ""
    n = max(0, min(int(n), MAX_SEARCH_RESULTS))
    if not key or not n:
        return []
    lower, spaced, rank = _index(recommender)
    names = recommender.catalog["model"]
    out: list[int] = []
    row = recommender.resolver.lower_index.get(key)
    if row is not None:
        out.append(int(row))
    words = _TOKEN.findall(key)
    phrase = " ".join(words)
    substring = [i for i, s in enumerate(lower) if key in s]
    tokens = [i for i, s in enumerate(spaced) if words and all(w in s for w in words)]
    if phrase:
        tokens = sorted(tokens, key=lambda i: (phrase not in spaced[i], rank[i]))
    start = re.compile(r"(^|[/\-_. ])" + re.escape(key))            # the text starts a word of the name
    substring = sorted(substring, key=lambda i: (start.search(lower[i]) is None, rank[i]))
    for group in (substring, tokens):
        out += [i for i in group if i not in out][: n - len(out)] if len(out) < n else []
    if not out:
        hits = process.extract(key, lower, scorer=fuzz.WRatio, limit=n + len(out), score_cutoff=SEARCH_FUZZY_CUTOFF)
        out += [i for _, _, i in sorted(hits, key=lambda h: (-h[1], rank[h[2]])) if i not in out][: n - len(out)]
    return [str(names.iat[i]) for i in dict.fromkeys(out)][:n]


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
    """"Did you mean" names for a spelling that resolved to nothing: :func:`search_models`."""
    return search_models(recommender, text, n)


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


def domain_records(recommender: Recommender, models: list[str]) -> pd.DataFrame:
    """Leaderboard records per (model, task domain) [models x DOMAINS], integer counts; a record's
    domain is its dataset's (``recommender.datasets``), else its task's."""
    rec = recommender.corpus.records
    sub = rec[rec["model"].isin(models)]
    ds = recommender.datasets
    dom = sub["dataset"].map(dict(zip(ds["dataset"], ds["domain"].astype(str))))
    dom = dom.where(dom.notna(), sub["task"].astype(str).map(task_domain))
    out = pd.crosstab(sub["model"], dom) if len(sub) else pd.DataFrame()
    return out.reindex(index=models, columns=list(DOMAINS), fill_value=0).fillna(0).astype(int)


def evidence_basis(n_records: int, modality, domain: str) -> str:
    """Why a (model, domain) strength can be trusted: "records" (the model has leaderboard records
    in the domain), "modality" (no records there, but the catalog says the model is of that
    modality) or "extrapolation" (neither: the ranker is guessing outside the model's evidence)."""
    if n_records > 0:
        return "records"
    return "modality" if str(modality) == domain else "extrapolation"


def domain_strength(recommender: Recommender, models: list[str]) -> pd.DataFrame:
    """One row per (model, domain with known datasets): strength (mean predicted z, higher is
    better), spread (its std across datasets), n_datasets, prior (structural prior, score units),
    n_records (the model's records in the domain) and basis (:func:`evidence_basis`)."""
    if not models:
        return pd.DataFrame(columns=STRENGTH_COLUMNS)
    cs, dom, nbr = _dataset_contexts(recommender)
    rows = np.array([recommender.resolver.index[m] for m in models])
    n_d = len(dom)
    m_idx, d_idx = np.repeat(rows, n_d), np.tile(np.arange(n_d), len(rows))
    z = recommender.engine.pairs(recommender.side, cs, m_idx, d_idx,
                                 recommender.evidence.for_rows(nbr, m_idx, d_idx)).z.reshape(len(rows), n_d)
    n_rec = domain_records(recommender, models)
    modality = recommender.catalog["modality"].to_numpy(object)[rows]
    out = []
    for d in DOMAINS:
        cols = np.flatnonzero(dom == d)
        if not len(cols):
            continue
        zd = z[:, cols]
        for i, m in enumerate(models):
            out.append({"model": m, "domain": d, "strength": float(zd[i].mean()),
                        "spread": float(zd[i].std()), "n_datasets": int(len(cols)),
                        "prior": float(recommender.side.prior[rows[i], DOMAINS.index(d)]),
                        "n_records": int(n_rec.at[m, d]),
                        "basis": evidence_basis(int(n_rec.at[m, d]), modality[i], d)})
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
