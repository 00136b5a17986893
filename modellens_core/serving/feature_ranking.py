"""Feature-augmented ranking: the ranker's scores fused with transferability estimates.

For a pool of candidate models that the user has run on (a sample of) their data, each model's
estimators (LogME, LEEP, NCE, H-score, ... from :mod:`.transfer`) are computed from its uploaded
``(features, labels, probs)`` (or taken from a table of precomputed scores), turned into
within-pool ranks and percentiles, and fused with the ranker's score for the same candidates
(``Recommender.recommend(candidates=...)``) by :func:`.transfer.fusion.fuse_rankings`:

    fused = weight * mean estimator percentile + (1 - weight) * ranker percentile

(percentiles within the uploaded pool: 0 = worst, 1 = best; a model without any estimate keeps
its ranker percentile). Names unknown to the catalog are ranked as unseen models by the ranker.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ..transfer import ESTIMATORS, fuse_rankings, run_estimators, within_pool_percentile
from ..transfer.uploads import Uploads, check_scores
from .inputs import InputError

FUSION_RULE = ("Each score is turned into a within-pool percentile (0 = worst, 1 = best); the fused score is "
               "weight x (mean percentile of the estimators) + (1 - weight) x (ranker percentile), and a model "
               "without estimates keeps its ranker percentile.")


def estimator_table(uploads) -> tuple[pd.DataFrame, list[str]]:
    """Raw estimator values: ``model`` + one column per estimator (higher = better, NaN = not
    computed), and notices. ``uploads``: model -> ``(features, labels, probs or None)``, a score
    DataFrame (``model`` + estimator columns) or an :class:`~.transfer.uploads.Uploads`."""
    notices: list[str] = []
    if isinstance(uploads, Uploads):
        notices += uploads.notices
        uploads = uploads.data
    if isinstance(uploads, pd.DataFrame):
        try:
            return check_scores(uploads, "estimator scores"), notices
        except ValueError as exc:
            raise InputError(str(exc)) from None
    if not isinstance(uploads, Mapping) or not uploads:
        raise InputError("Give features for at least one model: {model name: (features, labels, probs or "
                         "None)}, or a table of precomputed estimator scores.")
    rows = []
    for name, item in uploads.items():
        try:
            features, labels, *rest = item
        except (TypeError, ValueError):
            raise InputError(f"{name}: expected (features, labels) or (features, labels, probs).") from None
        probs = rest[0] if rest else None
        try:
            rows.append({"model": str(name), **run_estimators(labels, features=features, probs=probs)})
        except ValueError as exc:
            raise InputError(f"{name}: {exc}") from None
    if any(len(item) < 3 or item[2] is None for item in uploads.values()):
        notices.append("LEEP and NCE need the source model's class probabilities ('probs'); they are left out "
                       "for models uploaded without them.")
    return pd.DataFrame(rows), notices


def pool_ranks(values) -> np.ndarray:
    """Rank within the pool ``[M]``: 1 = highest value; ties share the best rank; NaN stays NaN."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    out[ok] = rankdata(-v[ok], method="min")
    return out


def _ranker_scores(recommender, description, names: list[str], task, metric):
    """The ranker's :class:`Ranking` of the pool (its ``rows``: each uploaded name -> table row)."""
    return recommender.recommend(description, task=task, metric=metric, candidates=names)


def feature_augmented_ranking(recommender, description, uploads, weight: float = 0.5, *, task=None,
                              metric=None, estimators: Iterable[str] | None = None,
                              fuse_first_of: Iterable[str] | None = None) -> pd.DataFrame:
    """Rank the uploaded candidate models by the ranker fused with transferability estimators.

    recommender: a loaded :class:`~.recommender.Recommender`; description: the dataset description;
    uploads: model -> ``(features [N, D], labels [N], probs [N, Z] or None)``, or a DataFrame of
    precomputed estimator scores (``model`` + estimator columns, higher = better); weight in [0, 1]
    (0 = ranker only, 1 = estimators only); estimators: names to fuse (default: every estimator
    with a value); fuse_first_of: a preference order (e.g. MetaRank's ranking): fuse only the first
    estimator in it that has a value. Returns one row per model, best first. Columns: fused_rank, model, matched
    (catalog name or ''), in_catalog, fused (in [0, 1], higher = better), ranker_score (logit,
    higher = better), ranker_rank, ranker_pct, estimator_pct (mean percentile of the fused
    estimators), then ``<est>``, ``<est>_rank``, ``<est>_pct`` per estimator with a value.
    ``attrs``: task, metric, weight, fused_estimators, rule, notices. Raises ``InputError``.
    """
    try:
        w = float(weight)
    except (TypeError, ValueError):
        raise InputError(f"The fusion weight must be a number in [0, 1], got {weight!r}.") from None
    if not 0.0 <= w <= 1.0:
        raise InputError(f"The fusion weight must be in [0, 1], got {w:g}.")
    file_errors = list(uploads.errors) if isinstance(uploads, Uploads) else []
    raw, notices = estimator_table(uploads)
    names = raw["model"].tolist()
    computed = [e for e in ESTIMATORS if e in raw.columns and np.isfinite(raw[e].to_numpy(np.float64)).any()]
    fused_names = computed if estimators is None else [e for e in estimators if e in computed]
    if estimators is not None and not fused_names:
        raise InputError(f"None of the requested estimators ({', '.join(estimators)}) has a value for these "
                         f"models; available: {', '.join(computed) or 'none'}.")
    if fuse_first_of is not None:
        fused_names = [e for e in fuse_first_of if e in fused_names][:1]
    ranking = _ranker_scores(recommender, description, names, task, metric)
    table, row_of = ranking.table, {n: ranking.rows.get(n) for n in names}
    missing = [n for n in names if row_of[n] is None]
    if missing:  # cannot happen without filters; guard against a silent misalignment
        raise InputError(f"The ranker returned no score for {', '.join(missing[:5])}.")
    idx = [row_of[n] for n in names]
    ranker = table["score"].to_numpy(np.float64)[idx]
    out = pd.DataFrame({"model": names,
                        "matched": [str(table["model"].iloc[i]) if table["in_catalog"].iloc[i] else "" for i in idx],
                        "in_catalog": table["in_catalog"].to_numpy(bool)[idx],
                        "ranker_score": ranker, "ranker_rank": pool_ranks(ranker),
                        "ranker_pct": within_pool_percentile(ranker)})
    pcts = {}
    for e in computed:
        v = raw[e].to_numpy(np.float64)
        pcts[e] = within_pool_percentile(v)
        out[e], out[f"{e}_rank"], out[f"{e}_pct"] = v, pool_ranks(v), pcts[e]
    chosen = np.vstack([pcts[e] for e in fused_names]) if fused_names else np.full((1, len(out)), np.nan)
    out.insert(5, "estimator_pct", _masked_mean(chosen))
    out.insert(2, "fused", fuse_rankings(ranker, {e: raw[e].to_numpy(np.float64) for e in fused_names}, w))
    order = np.lexsort((out["model"].to_numpy(), -out["ranker_score"].to_numpy(), -out["fused"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    out.insert(0, "fused_rank", np.arange(1, len(out) + 1))
    if not fused_names:
        notices.append("No estimator could be computed: the order is the ranker's alone.")
    out.attrs.update({"task": ranking.task, "metric": ranking.metric, "weight": w,
                      "fused_estimators": fused_names, "computed_estimators": computed, "rule": FUSION_RULE,
                      "file_errors": file_errors,
                      "notices": [*ranking.notices, *notices]})
    return out


def _masked_mean(a: np.ndarray) -> np.ndarray:
    """Column means over finite entries ``[M]``; NaN where a column has none."""
    ok = np.isfinite(a)
    n = ok.sum(axis=0)
    return np.where(n > 0, np.where(ok, a, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)


def display_columns(table: pd.DataFrame, all_columns: bool = False) -> list[str]:
    """Which columns of a :func:`feature_augmented_ranking` table a reader sees.

    Default (fits a page): fused_rank, model, in_catalog, fused, ranker_pct, estimator_pct and the
    within-pool rank of each fused estimator (ranks: 1 = best; percentiles: 0 = worst, 1 = best).
    ``all_columns``: every column except ``matched``, raw estimator values (higher = better) and
    the ranker's raw score (logit) included."""
    if all_columns:
        return [c for c in table.columns if c != "matched"]
    fused = table.attrs.get("fused_estimators", [])
    base = ["fused_rank", "model", "in_catalog", "fused", "ranker_pct", "estimator_pct"]
    return [c for c in base + [f"{e}_rank" for e in fused] if c in table.columns]
