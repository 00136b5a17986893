"""Model and dataset catalogs: merged metadata per canonical id, size buckets, descriptions.

Every model and dataset gets a non-empty description: the source's own text where it has
one, else a sentence written by a template from structured metadata (our own text).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..common.tasks import task_domain

# (upper bound in billions of parameters, label); "unknown" is its own bucket, never 0.
SIZE_BUCKETS = ((0.1, "<=100M"), (1.0, "100M-1B"), (3.0, "1-3B"), (8.0, "3-8B"),
                (35.0, "8-35B"), (80.0, "35-80B"), (float("inf"), ">80B"))
SIZE_BUCKET_LABELS = tuple(label for _, label in SIZE_BUCKETS) + ("unknown",)
# a typical size inside each bucket (billions of parameters; about the geometric middle), used
# where a bucket stands for a size, e.g. the Priors tab's curve; NaN for "unknown"
SIZE_BUCKET_TYPICAL_B = (0.03, 0.3, 1.7, 5.5, 17.0, 55.0, 200.0, float("nan"))


_UPPERS = np.array([upper for upper, _ in SIZE_BUCKETS])
_LABELS = np.array(SIZE_BUCKET_LABELS, dtype=object)


def size_bucket(params_b: pd.Series) -> pd.Series:
    """Bucket label for parameters in billions (a bucket holds (lower, upper]); NaN or <= 0 -> "unknown"."""
    p = pd.to_numeric(params_b if isinstance(params_b, pd.Series) else pd.Series(params_b, dtype=object),
                      errors="coerce")
    v = np.asarray(p, dtype=np.float64).copy()
    idx = np.searchsorted(_UPPERS, v, side="left")          # first bucket whose upper bound >= v
    idx[~(v > 0)] = len(SIZE_BUCKETS)                        # NaN and <= 0: "unknown" (the last label)
    return pd.Series(_LABELS[idx], index=p.index, dtype=object)


def _fmt_params(p: float) -> str:
    if not np.isfinite(p):
        return ""
    return f"{p * 1000:.0f} million parameters" if p < 1 else f"{p:.3g} billion parameters"


def model_description_template(row: pd.Series) -> str:
    """One-sentence description written from structured metadata (no model name: the name has
    its own view in the ranker, and leaving it out lets identical metadata share a vector)."""
    kind = {"text": "language", "vision": "vision", "speech": "speech", "multimodal": "multimodal",
            "code": "code"}.get(str(row.get("modality") or ""), "machine-learning")
    parts = [f"A {kind} model"]
    fam = row.get("family")
    if isinstance(fam, str) and fam:
        parts.append(f"of the {fam} family")
    size = _fmt_params(float(row.get("params_b"))) if pd.notna(row.get("params_b")) else ""
    if size:
        parts.append(f"with {size}")
    tag = row.get("pipeline_tag")
    text = " ".join(parts)
    if isinstance(tag, str) and tag:
        text += f", published for {tag.replace('-', ' ')}"
    base = row.get("base_model")
    if isinstance(base, str) and base:
        text += f", derived from {base}"
    return text + "."


def dataset_description_template(row: pd.Series) -> str:
    """Sentence for a dataset without a source description."""
    task = str(row.get("task") or "evaluation").replace("-", " ")
    name = str(row.get("name") or row.get("dataset"))
    text = f"{name}: a {task} benchmark"
    dom = row.get("domain")
    if isinstance(dom, str) and dom and dom != "other":
        text += f" in the {dom} domain"
    fam = row.get("family")
    if isinstance(fam, str) and fam and fam != row.get("dataset"):
        text += f", part of the {fam} benchmark family"
    langs = row.get("languages")
    if isinstance(langs, str) and langs:
        text += f", languages {langs}"
    return text + "."


def curated_dataset_description(row: pd.Series, curated: dict[str, str]) -> str | None:
    """The family's curated description (``registry_data/dataset_descriptions.csv``) for a
    dataset without a source description, led by the dataset's name (which carries the subset)
    and followed by its languages; None when the family has no curated text."""
    text = curated.get(str(row.get("family") or ""))
    if not text:
        return None
    name = str(row.get("name") or row.get("dataset"))
    out = f"{name}: {text}"
    langs = row.get("languages")
    if isinstance(langs, str) and langs:
        out += f" Languages: {langs}."
    return out


def fill_dataset_descriptions(frame: pd.DataFrame, curated: dict[str, str]) -> pd.Series:
    """A dataset's source description; else its family's curated description; else the template."""
    return fill_descriptions(frame, lambda row: curated_dataset_description(row, curated)
                             or dataset_description_template(row))


def first_non_null(frame: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    """Per key, the first non-null value of each column (rows are in priority order)."""
    g = frame.groupby(key, sort=True)
    return g[columns].first()


def fill_descriptions(frame: pd.DataFrame, template) -> pd.Series:
    desc = frame["description"].astype(object)
    empty = desc.isna() | (desc.astype(str).str.strip() == "")
    out = desc.where(~empty, frame[empty].apply(template, axis=1) if empty.any() else desc)
    return out.astype(str)


def dataset_domain(task: pd.Series, domain: pd.Series) -> pd.Series:
    """Domain from the adapter, else from the task vocabulary."""
    from_task = task.fillna("").map(task_domain)
    return domain.where(domain.notna() & (domain.astype(str) != ""), from_task)


# ----------------------------------------------------------------------------- identity facts
_DATE_IN_ID = re.compile(r"-(\d{4})-?(\d{2})-?(\d{2})$")


def _params(sizes: list[float]) -> float:
    """First size by source priority, skipping whole numbers that floor a finer size given by
    another source (Open LLM v1 reports Llama-2-7B as 6; v2 as 6.74)."""
    fine = {int(v) for v in sizes if v != int(v)}
    kept = [v for v in sizes if not (v == int(v) and int(v) in fine)]
    return kept[0] if kept else np.nan


def model_facts(m: pd.DataFrame) -> pd.DataFrame:
    """Per canonical model (index): params_b and active_params_b (BILLIONS; never floored),
    release_date ("YYYY-MM-DD") with date_source, open_weights, kind and variant_of.

    ``m`` is the merged model frame (rows in source-priority order, with ``source``, ``kind``
    and ``variant_of`` columns). Rules:
    * params_b: the reviewed mixture-of-experts table (total size), else the reviewed
      architecture table (whole repo name), else the sources (:func:`_params`), else the name
      (``Llama-3.1-405B`` -> 405); active_params_b only for mixture-of-experts models;
    * release_date: a dated API snapshot id gives its own date (``name``); a well-known model its
      reviewed release month (``known-release``, ``release_dates.csv``); otherwise the earliest
      date among the most trustworthy kind of source that dates the model (``release`` before
      ``hub-created`` before ``leaderboard``, see ``registry_data/date_sources.csv``);
    * open_weights: False for api-model entries; else True when a source says the weights are
      open (downloadable, whatever the licence: Mistral Large 2411 is served by API on some
      boards but its weights are on the Hub); else False when a source says closed or the
      licence is proprietary; else True for Hub repos and library weights; else unknown.
    """
    # local imports: catalog stays importable without the registry data and the ingest package
    from . import registry
    from .ingest.family_guess import params_from_name

    sizes = pd.to_numeric(m["params_b"], errors="coerce")
    sizes = sizes.where(sizes > 0)
    out = {}
    kind = m.groupby("model")["kind"].first().to_dict()
    variant = m.groupby("model")["variant_of"].first().to_dict()
    per_model_sizes = sizes.dropna().groupby(m["model"]).agg(list).to_dict()
    dates = m[["model", "source", "release_date"]].dropna()
    dates = dates[dates["release_date"].astype(str).str.match(r"^\d{4}-\d{2}")]
    rank = dates["source"].map(lambda s: registry.date_kind(s)[0])
    dates = dates.assign(rank=rank, date=dates["release_date"].astype(str).str[:10]).sort_values(["rank", "date"])
    first_date = dates.groupby("model").first()
    ow = m[["model", "open_weights", "license"]].copy()
    closed = (ow["open_weights"].astype("boolean") == False) | ow["license"].astype(str).str.contains(  # noqa: E712
        "proprietary", case=False, na=False)
    closed = closed.groupby(ow["model"]).any().to_dict()
    opened = (ow["open_weights"].astype("boolean") == True).groupby(ow["model"]).any().to_dict()  # noqa: E712
    first_date = first_date[["date", "source"]].to_dict("index")
    for mid in kind:
        k = kind.get(mid)
        moe = registry.moe_size(mid)
        arch = registry.architecture_size(mid) if k != "api-model" else None
        params = moe[0] if moe else arch if arch else _params(per_model_sizes.get(mid, []))
        named = params_from_name(mid) if k != "paper-method" else None
        if params != params:
            params = named or np.nan
        elif named and params == int(params) and params < named <= params + 1:
            params = named  # a floored count (6 for Llama-2-7B, truly 6.74): the name's 7 is closer
        d = _DATE_IN_ID.search(mid) if k == "api-model" else None
        known = registry.known_release(mid) if k != "paper-method" else None
        if d and 2015 < int(d.group(1)) < 2100 and 1 <= int(d.group(2)) <= 12:
            date, source = f"{d.group(1)}-{d.group(2)}-{d.group(3)}", "name"
        elif known:
            date, source = known, "known-release"
        elif mid in first_date:
            r = first_date[mid]
            date, source = r["date"], registry.date_kind(r["source"])[1]
        else:
            date, source = None, None
        if k == "api-model":
            open_w = False
        elif opened.get(mid, False):
            open_w = True
        elif closed.get(mid, False):
            open_w = False
        else:
            open_w = True if k in ("hub-model", "library-weights") else pd.NA
        out[mid] = (params, moe[1] if moe else np.nan, date, source, open_w, k, variant.get(mid))
    cols = ["params_b", "active_params_b", "release_date", "date_source", "open_weights", "kind", "variant_of"]
    return pd.DataFrame.from_dict(out, orient="index", columns=cols)
