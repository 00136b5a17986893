"""Candidate pools: which model modalities can serve a task domain, and the pool builder.

The ranker is trained on within-group z scores, and a leaderboard group only holds models of the
modality its benchmark accepts, so the ranker never learns that a text-only model cannot
transcribe speech: cross-modality order is unsupervised. ``fitting_modalities`` is the explicit
rule the app applies instead (a filter, on by default, that the user can turn off).

``propose_replacements`` is the routing-pool experiment of the ModelLens paper: for each model
of an existing pool, the top-ranked model of comparable size for this dataset.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .recommender import InputError, Recommender

# task domain -> model modalities that can be evaluated on it ("other": no rule, no filter)
DOMAIN_MODALITIES: dict[str, tuple[str, ...]] = {
    "text": ("text", "multimodal", "code", "embedding"),
    "code": ("code", "text", "multimodal"),
    "vision": ("vision", "multimodal"),
    "speech": ("speech",),          # vision-language "multimodal" models do not take audio
    "multimodal": ("multimodal", "vision"),
}
MAX_POOL = 50
POOL_COLUMNS = ["current", "current_params_b", "current_score", "replacement", "replacement_params_b",
                "replacement_score", "gain", "note"]


def fitting_modalities(domain: str, available) -> list[str] | None:
    """Modalities among ``available`` (the catalog's) that fit ``domain``; None = no filter
    (unknown domain, or no catalog model would fit and the filter would empty the ranking)."""
    rule = DOMAIN_MODALITIES.get(domain)
    if rule is None:
        return None
    fit = [m for m in rule if m in set(available)]
    return fit or None


def _pool_lines(pool_names) -> list[str]:
    names = pool_names.splitlines() if isinstance(pool_names, str) else list(pool_names or [])
    return [n.strip() for n in names if n and str(n).strip()]


def propose_replacements(recommender: Recommender, description, pool_names, tolerance: float = 0.5,
                         task=None, metric=None, match_modality: bool = True) -> pd.DataFrame:
    """One row per distinct pool model: its ranking score for this dataset and the best-ranked
    catalog model within ``tolerance`` of its size.

    Sizes are billions of parameters; "comparable" = ``|p' - p| <= tolerance * p`` (0.5 = the
    paper's ±50%). Scores are the ranker's score for this dataset (higher is better); ``gain`` =
    replacement_score - current_score (0 when the current model is already the best choice).
    Replacements are distinct and never another member of the pool (replacing A by pool member B
    would shrink the pool). A model of unknown size gets the best model of any size (``note``
    says so). ``table.attrs`` carries the recommender's task/metric and notices.
    """
    names = _pool_lines(pool_names)
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
    current = recommender.recommend(description, task, metric, candidates=names)
    notices += current.attrs["notices"]
    domain = current.attrs["domain"]
    mods = fitting_modalities(domain, recommender.catalog["modality"].unique()) if match_modality else None
    ranked = recommender.recommend(description, task, metric, modalities=mods)
    pool_set = set(current["model"])
    cand = ranked[~ranked["model"].isin(pool_set)]
    cand_p = pd.to_numeric(cand["params_b"], errors="coerce").to_numpy(np.float64)
    taken: set[str] = set()
    rows = []
    # the pool in the order given (recommend() returns it best first)
    order = current.set_index("model", drop=False)
    for name in _canonical_order(recommender, names, order.index):
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
    out.attrs.update({k: current.attrs[k] for k in ("task", "metric", "domain", "task_inferred", "metric_inferred")})
    out.attrs["modalities"] = mods
    out.attrs["notices"] = notices
    return out


def _canonical_order(recommender: Recommender, names: list[str], ranked_models) -> list[str]:
    """The ranked pool's model names in the order the user gave them (each once)."""
    present = set(ranked_models)
    out = []
    for n in names:
        rows, unknown, _ = recommender.resolve([n])
        canon = recommender.catalog["model"].iloc[rows[0]] if rows else (unknown[0] if unknown else None)
        if canon in present and canon not in out:
            out.append(canon)
    out += [m for m in ranked_models if m not in out]  # anything resolve() spelled differently
    return out
