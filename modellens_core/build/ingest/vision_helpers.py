"""Shared helpers of the plain-table vision, vision-language and speech adapters (``vision_*.py``
and ``speech_open_asr.py``).

Each CSV is described by a :class:`~.table_spec.TableSpec` and read by :func:`read_specs`; JSON
files are flattened to a long frame and go through :func:`long_frame_records`, which parses and
counts cells the same way. Source-specific rules are small post-steps on the record frame, then
:func:`finish_records` applies the two shared conventions: **duplicates** are resolved by read
order (the first spec that yields a ``(model, dataset, subset, task, metric)`` key keeps it,
later ones count as ``duplicate``), and columns read but dropped on purpose (baselines,
alternative estimates) carry the dataset :data:`EXCLUDED` from their column parser and count as
``excluded``. Derived columns that are not scores at all (timm ``*_err``/``*_diff``,
``param_count``, ``RTFx`` speed, FLOPs) are never read as scores and are not counted. The
ImageNet-family test sets get one shared name across sources (:data:`IMAGENET_NAMES`), and
:func:`dataset_family` / :func:`arch_family` give the benchmark and architecture families.
``params_b`` is always billions of parameters. Invariant (tested):
``report.rows_read == len(records) + sum(drops other than unparseable_file)``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np
import pandas as pd

from ...common.tasks import task_domain
from .base import DropReport, SourceResult, make_result
from .table_spec import TableSpec, parse_score, read_table

KEY = ["model", "dataset", "subset", "task", "metric"]
EXCLUDED = "__excluded__"   # dataset marker: a column read, then dropped as "excluded"
REC_COLS = KEY + ["score", "higher_is_better"]

# Shared names for the ImageNet-family test sets, so timm, torchvision, the testbed,
# open_clip, CLIP_benchmark and RobustBench name one benchmark the same way.
IMAGENET_NAMES = {
    "imagenet": "ImageNet", "imagenet1k": "ImageNet", "imagenet1k-unverified": "ImageNet",
    "imagenet-1k": "ImageNet", "val": "ImageNet", "imagenet-real": "ImageNet-ReaL",
    "imagenetv2": "ImageNetV2", "imagenet_sketch": "ImageNet-Sketch", "sketch": "ImageNet-Sketch",
    "imagenet-sketch": "ImageNet-Sketch", "imagenet-a": "ImageNet-A", "imagenet-r": "ImageNet-R",
    "imagenet-o": "ImageNet-O", "objectnet": "ObjectNet", "objectnet-1.0-beta": "ObjectNet",
    "stylized_imagenet": "Stylized-ImageNet",
}
# dataset -> benchmark family where it is not simply the slug of the name
_FAMILY = {"ImageNet-ReaL": "imagenet",   # ReaL relabels the ImageNet val images: same family
           "voc2007_multilabel": "voc2007",
           "multilingual_mscoco_captions": "mscoco-captions"}
_FAMILY_PREFIX = (("imagenet-c-", "imagenet-c"), ("imagenet-3dcc-", "imagenet-3dcc"),
                  ("cifar10-c-", "cifar10-c"), ("cifar100-c-", "cifar100-c"))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9.+]+", "-", str(name).lower()).strip("-")


def dataset_family(dataset: str) -> str:
    """Benchmark family of a dataset name: all subsets / corruptions / VTAB copies of one
    benchmark share it (``vtab/cifar100`` -> ``cifar100``, ``imagenet-c-fog`` -> ``imagenet-c``)."""
    if dataset in _FAMILY:
        return _FAMILY[dataset]
    for prefix, fam in _FAMILY_PREFIX:
        if dataset.startswith(prefix):
            return fam
    return _slug(re.sub(r"^vtab[/_]", "", dataset))


_ARCH_PREFIX = re.compile(r"^(?:quantized|tf|legacy|gluon|ig|ssl|swsl|ens_adv|adv|instagram|timm|dm(?=_)|"
                          r"fix(?=[a-z]))_?")
_ARCH_JOIN = {"wide": "wide-", "tiny": "tiny-", "se": "se"}   # two-token stems: wide_resnet, se_resnet
_ARCH_STEM = {"res": "res2net", "wideresnet": "wide-resnet"}


def arch_family(name: str) -> str:
    """Architecture family from a vision model or builder name (``resnet50.a1_in1k`` -> ``resnet``,
    ``swinv2_base_window8`` -> ``swin``, ``quantized_mobilenet_v3_large`` -> ``mobilenet``,
    ``BiT-M-R50x1`` -> ``bit``). Heuristic: leading letters of the first token, minus version."""
    s = re.sub(r"[-\s]+", "_", str(name).lower().split("/")[-1].split(".")[0])
    prev = None
    while prev != s:
        prev, s = s, _ARCH_PREFIX.sub("", s)
    parts = s.split("_")
    tok = _ARCH_JOIN[parts[0]] + parts[1] if parts[0] in _ARCH_JOIN and len(parts) > 1 else parts[0] or s
    m = re.match(r"[a-z-]+?(?=v?\d|$)", tok)
    base = _ARCH_STEM.get(m.group(0), m.group(0)) if m else tok
    return base if len(base) >= 3 else tok   # "r3d", "s3d", "nf": too short to be a stem


def record_frame(records: list[dict]) -> pd.DataFrame:
    """Records (dicts) as a frame with exactly the record columns, empty or not."""
    return pd.DataFrame(records, columns=REC_COLS)


def read_specs(source_dir: Path, specs: Iterable[TableSpec], report: DropReport) -> pd.DataFrame:
    """All records of ``specs`` in read order (the order is the duplicate priority)."""
    out: list[dict] = []
    for spec in specs:
        out.extend(read_table(source_dir, spec, report))
    return record_frame(out)


def drop_rows(rec: pd.DataFrame, mask, reason: str, report: DropReport, note: str = "") -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    report.drop(reason, n)
    if n and note:
        report.notes.append(f"{n} {reason}: {note}")
    return rec[~mask].reset_index(drop=True)


def finish_records(rec: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    """Drop EXCLUDED-marked cells, then later copies of a key (first read wins)."""
    rec = drop_rows(rec, rec["dataset"] == EXCLUDED, "excluded", report)
    return drop_rows(rec, rec.duplicated(KEY, keep="first"), "duplicate", report)


def long_frame_records(df: pd.DataFrame, report: DropReport, score_col: str = "score") -> pd.DataFrame:
    """Records from an already long frame (columns KEY + score [+ higher_is_better]); parses
    and counts the score cells like :func:`read_table` does."""
    report.rows_read += len(df)
    parsed = [parse_score(v) for v in df[score_col].tolist()]
    why = pd.Series([w for _, w in parsed], index=df.index, dtype="object")
    for reason, n in why.dropna().value_counts().items():
        report.drop(reason, int(n))
    out = df.assign(score=[v for v, _ in parsed])[why.isna().to_numpy()]
    if "higher_is_better" not in out:
        out = out.assign(higher_is_better=None)
    return out[REC_COLS].reset_index(drop=True)


def params_b_from_millions(values) -> pd.Series:
    """Millions of parameters (``"1,014.45"`` strings allowed) -> billions; <= 0 -> NA."""
    v = pd.to_numeric(pd.Series(values).astype(str).str.replace(",", "", regex=False), errors="coerce")
    return (v.where(v > 0) / 1000.0).astype("Float64")


def datasets_frame(rec: pd.DataFrame, languages: Optional[Callable[[str, pd.DataFrame], str]] = None,
                   descriptions: Optional[dict] = None) -> pd.DataFrame:
    """One row per dataset: most frequent task, family, domain; description from the source."""
    rows = []
    for name, g in rec.groupby("dataset", sort=True):
        # the task of the plain benchmark (empty subset) wins over its variants (pgd, ...)
        main = g[g["subset"].eq("")] if g["subset"].eq("").any() else g
        task = main["task"].value_counts().index[0]
        rows.append({"dataset": name, "family": dataset_family(name),
                     "description": (descriptions or {}).get(name, ""), "task": task,
                     "domain": task_domain(task),
                     "languages": languages(name, g) if languages else ""})
    return pd.DataFrame(rows)


def models_frame(rec: pd.DataFrame, meta: pd.DataFrame, candidates: bool = False, **defaults) -> pd.DataFrame:
    """One row per model in ``rec`` (plus, with ``candidates``, every model of ``meta``: released
    checkpoints without scores), ``meta`` joined on ``model``, NA filled with ``defaults``."""
    names = set(rec["model"]) | (set(meta["model"].dropna()) if candidates and len(meta) else set())
    models = pd.DataFrame({"model": sorted(names)})
    if len(meta):
        models = models.merge(meta.drop_duplicates("model"), on="model", how="left")
    for col, value in defaults.items():
        if col not in models:
            models[col] = value
        else:
            models[col] = models[col].where(models[col].notna(), value)
    return models


def source_result(source: str, rec: pd.DataFrame, models: pd.DataFrame, datasets: pd.DataFrame,
                  report: DropReport) -> SourceResult:
    """The SourceResult, with ``higher_is_better`` as objects (True/False/None, never NaN)."""
    rec = rec.assign(higher_is_better=rec["higher_is_better"].astype("object"))
    rec["higher_is_better"] = rec["higher_is_better"].where(rec["higher_is_better"].notna(), None)
    return make_result(source, rec, models, datasets, report)


def labelled(label: str, value) -> str:
    """``"label: value"`` for a description, or "" when the value is missing."""
    return f"{label}: {value}" if value is not None and str(value).strip() not in ("", "nan") else ""


def join_desc(*parts: str) -> str:
    """Non-empty description parts joined into one sentence."""
    return "; ".join(p for p in parts if p) + "."
