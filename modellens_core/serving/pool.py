"""The pool builder (the routing-pool experiment of the ModelLens paper): for each model of an
existing pool, the top-ranked model of comparable size for this dataset, among the models the
request's filters allow (size, families, modalities, open weights; the modality-fit rule too).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .inputs import InputError, name_lines
from .recommender import Recommender
from .request import Filters, RankRequest

MAX_POOL = 50
POOL_COLUMNS = ["current", "current_params_b", "current_score", "replacement", "replacement_params_b",
                "replacement_score", "gain", "note"]


def propose_replacements(recommender: Recommender, description, pool_names, tolerance: float = 0.5,
                         task=None, metric=None, filters: Filters | None = None) -> pd.DataFrame:
    """One row per distinct pool model: its ranking score for this dataset and the best-ranked
    catalog model within ``tolerance`` of its size.

    Sizes are billions of parameters; "comparable" = ``|p' - p| <= tolerance * p`` (0.5 = the
    paper's ±50%). Scores are the ranker's score for this dataset (higher is better); ``gain`` =
    replacement_score - current_score (0 when the current model is already the best choice).
    Replacements are distinct and never another member of the pool (replacing A by pool member B
    would shrink the pool). A model of unknown size gets the best model of any size (``note``
    says so). ``filters`` (default: none but the modality-fit rule) bound the replacements.
    ``table.attrs`` carries the understood task/metric/domain, the modalities kept and notices.
    """
    names = name_lines(pool_names)
    if not names:
        raise InputError("The pool is empty: give the models you use now, one name per line.")
    try:
        tol = float(tolerance)
    except (TypeError, ValueError):
        raise InputError(f"The size tolerance must be a number (a fraction, 0.5 = ±50%), got {tolerance!r}.") from None
    if not np.isfinite(tol) or tol <= 0:
        raise InputError("The size tolerance must be a positive fraction (0.5 = ±50% parameters).")
    notices = []
    if len(names) > MAX_POOL:
        notices.append(f"The pool has {len(names)} models; only the first {MAX_POOL} were considered.")
        names = names[:MAX_POOL]
    request = RankRequest(description, task, metric, top_k=None, filters=filters or Filters())
    query = recommender.understand(request.description, request.task, request.metric)   # understood once
    asked = recommender.rank(query, request.with_(candidates=tuple(names), filters=Filters()))
    ranked = recommender.rank(query, request)
    current, domain, mods = asked.table, query.domain, ranked.modalities
    notices += asked.notices + [n for n in ranked.notices if n not in asked.notices]
    pool_set = set(current["model"])
    cand = ranked.table[~ranked.table["model"].isin(pool_set)]
    cand_p = pd.to_numeric(cand["params_b"], errors="coerce").to_numpy(np.float64)
    taken: set[str] = set()
    rows = []
    # the pool in the order given (recommend() returns it best first)
    order = current.set_index("model", drop=False)
    for name in _in_given_order(asked, names):
        cur = order.loc[name]
        p = float(cur["params_b"]) if pd.notna(cur["params_b"]) else np.nan
        if np.isfinite(p):
            ok = np.isfinite(cand_p) & (np.abs(cand_p - p) <= tol * p)
            note = ""
        else:
            ok = np.ones(len(cand), bool)
            note = "size unknown: best model of any size"
        ok &= ~cand["model"].isin(taken).to_numpy()
        best = cand[ok].head(1)
        row = {"current": name, "current_params_b": p, "current_score": float(cur["score"])}
        # a model whose modality cannot serve this task is replaced whatever its (unsupervised) score
        misfit = mods is not None and bool(cur["in_catalog"]) and cur["modality"] not in mods
        if misfit:
            note = (note + "; " if note else "") + f"its modality ({cur['modality']}) does not fit a {domain} task"
        if len(best) and (misfit or float(best["score"].iloc[0]) > row["current_score"]):
            b = best.iloc[0]
            taken.add(b["model"])
            row.update(replacement=b["model"], replacement_params_b=float(b["params_b"]) if pd.notna(b["params_b"])
                       else np.nan, replacement_score=float(b["score"]), note=note)
        else:
            row.update(replacement=name, replacement_params_b=p, replacement_score=row["current_score"],
                       note=(note + "; " if note else "") + ("keep: no better model of comparable size"
                                                             if len(best) else "keep: no other model of comparable size"))
        row["gain"] = row["replacement_score"] - row["current_score"]
        rows.append(row)
    out = pd.DataFrame(rows, columns=POOL_COLUMNS)
    out.attrs.update({k: v for k, v in asked.understood().items() if k in ("task", "metric", "domain", "task_inferred",
                                                                           "metric_inferred")})
    out.attrs["modalities"] = mods
    out.attrs["notices"] = notices
    return out


def _in_given_order(asked, names: list[str]) -> list[str]:
    """The ranked pool's model names in the order the user gave them (each once)."""
    table, out = asked.table, []
    for n in names:
        i = asked.rows.get(n)
        if i is not None and table["model"].iat[i] not in out:
            out.append(table["model"].iat[i])
    return out + [m for m in table["model"] if m not in out]
