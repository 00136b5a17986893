"""Candidate names: which catalog entry a typed name means, and the model side of a name that
is in no catalog (scored from what its name says: family and size guessed from it, the generic
model description, and the [UNK] ID row).

A typed name resolves, in order, to: the exact id; any case or alias spelling; the entry whose
name part (after the org) has the same match key; the entry whose name before a timm tag
(``convnext_tiny`` for ``timm/convnext_tiny.fb_in1k``) has it. Where several entries share a
key, the most used one wins (records first, then Hub popularity), so a bare ``resnet50`` finds
the widely used checkpoint, not a third-party port; the answer says which entry it chose. A
name that resolves to nothing gets "did you mean" suggestions (fuzzy matching, ``rapidfuzz``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..build.canonical import match_key
from ..build.ingest.family_guess import guess_family, params_from_name
from ..ranker.engine import Engine
from ..ranker.features import model_features
from .inputs import MAX_NAME_CHARS, clean_text

MAX_CANDIDATES = 20000
MAX_SUGGESTED = 5          # unknown names that get "did you mean" suggestions (each costs a fuzzy scan)
SUGGEST_CUTOFF = 80        # rapidfuzz WRatio (0-100) below which a name is no suggestion
UNKNOWN_MODEL_DESCRIPTION = "A machine-learning model."   # the description view of a name outside the catalog


class NameResolver:
    def __init__(self, catalog: pd.DataFrame):
        names = catalog["model"].tolist()
        self.names = names
        self.index = {m: i for i, m in enumerate(names)}
        self.lower_index = {m.lower(): i for i, m in enumerate(names)}
        # most used first: records, then Hub popularity (ties: catalog order), so setdefault keeps the best
        use = (catalog["n_records"].fillna(0).to_numpy(np.float64) * 1e12
               + catalog["popularity"].fillna(0).to_numpy(np.float64) if "popularity" in catalog
               else catalog["n_records"].fillna(0).to_numpy(np.float64))
        self.key_index: dict[str, int] = {}
        self.base_index: dict[str, int] = {}
        aliases = catalog["aliases"].tolist()   # plain lists: a pandas lookup per row costs seconds on 95k
        for i in np.argsort(-use, kind="stable").tolist():
            for a in [names[i], *list(aliases[i])]:
                self.lower_index.setdefault(str(a).lower(), i)
                part = str(a).split("/")[-1]
                key = match_key(part)
                self.key_index.setdefault(key, i)
                self.base_index.setdefault(match_key(part.split(".")[0]) if "." in part else key, i)
        self._lower_names = [n.lower() for n in names]

    def row(self, name: str) -> int | None:
        """The catalog row a spelling means: exact, then any case or alias, then the match key of its last part."""
        i = self.index.get(name)
        if i is None:
            i = self.lower_index.get(name.lower())
        if i is None:
            i = self.key_index.get(match_key(name.split("/")[-1]))
        if i is None:
            i = self.base_index.get(match_key(name.split("/")[-1].split(".")[0]))
        return i

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Catalog names close to a name that resolved to nothing (best first; may be empty)."""
        hits = process.extract(name.lower(), self._lower_names, scorer=fuzz.WRatio, limit=n,
                               score_cutoff=SUGGEST_CUTOFF)
        return [self.names[i] for _, _, i in hits]
    def resolve(self, names) -> tuple[list[int], list[str], list[str], dict]:
        """Catalog rows for known names, the unknown names, notices (duplicates, truncation), and
        each given name -> its catalog row (int) or itself (an unknown name)."""
        notices, rows, unknown, seen_rows, seen_unknown, asked = [], [], [], set(), set(), {}
        clean = [c for c in (clean_text(n, MAX_NAME_CHARS)[0] for n in names) if c]
        if len(clean) > MAX_CANDIDATES:
            notices.append(f"{len(clean):,} candidates given; only the first {MAX_CANDIDATES:,} were ranked.")
            clean = clean[:MAX_CANDIDATES]
        dups, chosen = 0, []
        for n in clean:
            i = self.row(n)
            if i is not None and self.names[i].lower() != n.lower() and len(chosen) < 5:
                chosen.append(f"'{n}' -> {self.names[i]}")
            if i is None:
                if n.lower() in seen_unknown:
                    dups += 1
                else:
                    seen_unknown.add(n.lower())
                    unknown.append(n)
                asked.setdefault(n, next(u for u in unknown if u.lower() == n.lower()))
            else:
                asked.setdefault(n, i)
                if i in seen_rows:
                    dups += 1
                else:
                    seen_rows.add(i)
                    rows.append(i)
        if dups:
            notices.append(f"{dups} duplicate candidate name(s) were ranked once.")
        if chosen:
            notices.append("Resolved " + ", ".join(chosen) + (" ..." if len(rows) > len(chosen) else "") + ".")
        if unknown:
            notices.append(f"{len(unknown)} candidate(s) are not in the catalog and were ranked from their name "
                           f"alone (flagged unseen): " + ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else ""))
            for u in unknown[:MAX_SUGGESTED]:
                near = self.suggest(u)
                if near:
                    notices.append(f"'{u}' is not in the catalog; did you mean: {', '.join(near)}?")
        return rows, unknown, notices, asked


def unknown_model_side(engine: Engine, vocab, names: list[str], unknown_desc: np.ndarray, buckets: int):
    """(model side, sizes in billions (NaN = unknown), guessed families) of names outside the catalog."""
    params = np.array([params_from_name(n) or np.nan for n in names], dtype=np.float64)
    fam = [guess_family(n) or "" for n in names]
    feats = model_features(vocab, names, np.repeat(unknown_desc[None, :], len(names), axis=0), params, fam, buckets)
    feats["mid"][:] = 0   # never seen, whatever the name
    return engine.model_side(feats), params, fam
