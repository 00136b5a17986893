"""Model and dataset catalogs: merged metadata per canonical id, size buckets, descriptions.

Every model and dataset gets a non-empty description: the source's own text where it has
one, else a sentence written by a template from structured metadata (our own text).
"""
from __future__ import annotations

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
