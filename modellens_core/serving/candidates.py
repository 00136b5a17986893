"""Candidate names: which catalog entry a typed name means, and the model side of a name that
is in no catalog (scored from what its name says: family and size guessed from it, the generic
model description, and the [UNK] ID row)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..build.canonical import match_key
from ..build.ingest.family_guess import guess_family, params_from_name
from ..ranker.engine import Engine
from ..ranker.features import model_features
from .inputs import MAX_NAME_CHARS, clean_text

MAX_CANDIDATES = 20000
UNKNOWN_MODEL_DESCRIPTION = "A machine-learning model."   # the description view of a name outside the catalog


class NameResolver:
    def __init__(self, catalog: pd.DataFrame):
        names = catalog["model"].tolist()
        self.index = {m: i for i, m in enumerate(names)}
        self.lower_index = {m.lower(): i for i, m in enumerate(names)}
        self.key_index: dict[str, int] = {}
        for i, (m, aliases) in enumerate(zip(names, catalog["aliases"])):
            for a in [m, *list(aliases)]:
                self.lower_index.setdefault(str(a).lower(), i)
                self.key_index.setdefault(match_key(str(a).split("/")[-1]), i)

    def row(self, name: str) -> int | None:
        """The catalog row a spelling means: exact, then any case or alias, then the match key of its last part."""
        i = self.index.get(name)
        if i is None:
            i = self.lower_index.get(name.lower())
        if i is None:
            i = self.key_index.get(match_key(name.split("/")[-1]))
        return i

    def resolve(self, names) -> tuple[list[int], list[str], list[str], dict]:
        """Catalog rows for known names, the unknown names, notices (duplicates, truncation), and
        each given name -> its catalog row (int) or itself (an unknown name)."""
        notices, rows, unknown, seen_rows, seen_unknown, asked = [], [], [], set(), set(), {}
        clean = [c for c in (clean_text(n, MAX_NAME_CHARS)[0] for n in names) if c]
        if len(clean) > MAX_CANDIDATES:
            notices.append(f"{len(clean):,} candidates given; only the first {MAX_CANDIDATES:,} were ranked.")
            clean = clean[:MAX_CANDIDATES]
        dups = 0
        for n in clean:
            i = self.row(n)
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
        if unknown:
            notices.append(f"{len(unknown)} candidate(s) are not in the catalog and were ranked from their name "
                           f"alone (flagged unseen): " + ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else ""))
        return rows, unknown, notices, asked


def unknown_model_side(engine: Engine, vocab, names: list[str], unknown_desc: np.ndarray, buckets: int):
    """(model side, sizes in billions (NaN = unknown), guessed families) of names outside the catalog."""
    params = np.array([params_from_name(n) or np.nan for n in names], dtype=np.float64)
    fam = [guess_family(n) or "" for n in names]
    feats = model_features(vocab, names, np.repeat(unknown_desc[None, :], len(names), axis=0), params, fam, buckets)
    feats["mid"][:] = 0   # never seen, whatever the name
    return engine.model_side(feats), params, fam
