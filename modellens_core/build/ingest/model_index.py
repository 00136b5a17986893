"""The ``model-index`` schema (PapersWithCode / OpenMMLab metafiles and Hugging Face model cards).

Two spellings of one schema are read by the same function, :func:`parse_model_index`:

* OpenMMLab / PwC metafiles: ``Models: [{Name, In Collection, Metadata, Results: [{Task,
  Dataset, Metrics: {name: value}}]}]`` (``Results`` may also be a single dict);
* Hugging Face cards (YAML front matter): ``model-index: [{name, results: [{task: {type, name},
  dataset: {type, name, config, split, args}, metrics: [{type, value, name}]}]}]``.

:func:`load_openmmlab` reads every metafile of ``openmmlab_model_index/<package>/configs/``
(``metafile.yml``/``.yaml``; mmpose uses ``<name>.yml``), inherits ``Metadata`` from the
entry's Collection, and emits records with model ids ``<package>/<Name>``
(e.g. ``mmdet/faster-rcnn_r50_fpn_1x_coco``). Scores are as published (mmdet/mmseg/mmpretrain
in %, mmpose AP and mmocr in 0-1: each (dataset, task, metric) group uses one scale).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable

import yaml

from ...common.tasks import task_domain
from .base import DropReport, SourceFileError, make_result, read_file
from .table_spec import parse_score

SOURCE = "openmmlab_model_index"

# raw task string (lowercased) -> canonical task (modellens_core.common.tasks)
_TASKS = {
    "object detection": "object-detection", "region proposal": "object-detection",
    "semi-supervised object detection": "object-detection",
    "instance segmentation": "instance-segmentation", "video instance segmentation": "instance-segmentation",
    "semantic segmentation": "semantic-segmentation", "panoptic segmentation": "panoptic-segmentation",
    "3d semantic segmentation": "3d-segmentation", "3d object detection": "3d-object-detection",
    "oriented object detection": "rotated-object-detection", "rotated object detection": "rotated-object-detection",
    "image classification": "image-classification", "multi-label classification": "image-classification",
    "action recognition": "video-classification", "skeleton-based action recognition": "video-classification",
    "action detection": "action-localization", "temporal action localization": "action-localization",
    "text recognition": "text-recognition", "text detection": "text-detection",
    "key information extraction": "key-information-extraction", "kie": "key-information-extraction",
    "multiple object tracking": "tracking", "multi-object tracking": "tracking",
    "image caption": "image-to-text", "image captioning": "image-to-text",
    "visual question answering": "visual-question-answering", "nlvr": "visual-question-answering",
    "visual grounding": "visual-question-answering",  # no grounding task in the vocabulary (closest multimodal)
    "image-to-text retrieval": "image-text-retrieval", "text-to-image retrieval": "image-text-retrieval",
    "video retrieval": "any-to-any-retrieval", "image retrieval": "image-retrieval",
    "depth estimation": "depth-estimation", "optical flow": "optical-flow",
    "human pose estimation": "pose-estimation", "pose estimation": "pose-estimation",
}
# tasks whose direction/protocol must stay apart from the canonical task's other groups
_TASK_SUBSET = {"semi-supervised object detection": "semi-supervised", "region proposal": "proposals",
                "image-to-text retrieval": "image-to-text", "text-to-image retrieval": "text-to-image",
                "video instance segmentation": "video"}
_KEYPOINT = re.compile(r"\b(2d|3d)\s+keypoint\b|keypoint", re.IGNORECASE)

# Metric spellings the central direction table does not know: expand acronyms so that
# ``metric_names.higher_is_better`` decides (lower-is-better errors contain "error").
_METRIC_ALIASES = {
    "nme": "normalized-mean-error", "mpjpe": "mean-per-joint-position-error",
    "p-mpjpe": "procrustes-mean-per-joint-position-error",
    "n-mpjpe": "normalized-mean-per-joint-position-error",
    "mrrpe": "mean-relative-root-position-error",
    "mean": "pck-mean", "mean@0.1": "pck-mean@0.1",   # mmpose MPII/JHMDB/Body8 joint-averaged PCK(h)
    "total": "ap-total",                            # mmpose PoseTrack18 joint-averaged AP
}
# per-keypoint breakdowns of the headline (kept: the joint average); dropped as "excluded"
_JOINTS = {"head", "sho", "shou", "elb", "wri", "hip", "knee", "ank", "ankl"}
# metric suffixes that are protocol or split variants -> subset ("mIoU(ms+flip)", "NME blur")
_METRIC_VARIANT = re.compile(r"^(?P<m>.+?)\s*\((?P<v>ms\+flip|efficient|test\w*)\)$", re.IGNORECASE)
_METRIC_SPLIT = re.compile(r"^(?P<m>nme|mpjpe)[\s-]+(?P<v>\w+)$", re.IGNORECASE)
_PARAMS = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([kmbgt]?)\s*\??\s*$", re.IGNORECASE)
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}


def parse_param_count(value) -> float | None:
    """Parameter count in **billions** from an int (raw count) or a string like ``"11.4M"``,
    ``"0.46B"``, ``"220k"``; None when unknown, zero or negative."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        n = float(value)
    else:
        m = _PARAMS.match(str(value).replace(",", ""))
        if not m:
            return None
        n = float(m.group(1)) * _SCALE[m.group(2).lower()]
    return n / 1e9 if n > 0 and n == n else None


def canonical_task(raw: str) -> str:
    """Canonical task for a model-index task string (OpenMMLab ``Task`` or HF ``task.type``)."""
    s = str(raw or "").strip()
    low = s.lower()
    if low in _TASKS:
        return _TASKS[low]
    if _KEYPOINT.search(low):
        return "pose-estimation"  # Body/Face/Hand/Animal/Wholebody 2D/3D keypoint
    slug = re.sub(r"[^a-z0-9]+", "-", low).strip("-")
    return _TASKS.get(slug.replace("-", " "), slug)


def split_metric(raw: str) -> tuple[str, str] | None:
    """``(metric, subset_suffix)`` for a raw metric name, or None for per-keypoint breakdowns."""
    name = str(raw).strip()
    suffix = ""
    m = _METRIC_VARIANT.match(name) or _METRIC_SPLIT.match(name)
    if m:
        name, suffix = m.group("m"), m.group("v").lower()
    if name.lower() in _JOINTS:
        return None
    if name.lower().startswith("mpjpe-"):   # MPJPE-all / -single / -interacting (InterHand)
        name, suffix = "MPJPE", name[6:].lower()
    return _METRIC_ALIASES.get(name.lower(), name), suffix


def _get(d: dict, *keys, default=None):
    """Case-insensitive dict lookup over alternative keys."""
    if not isinstance(d, dict):
        return default
    low = {str(k).lower(): v for k, v in d.items()}
    for k in keys:
        if k.lower() in low and low[k.lower()] is not None:
            return low[k.lower()]
    return default


def _as_list(x) -> list:
    return [] if x is None else (x if isinstance(x, list) else [x])


def _result_fields(res: dict) -> tuple[str, str, list[str], list[tuple[str, object]]]:
    """(task, dataset, subset parts, [(metric, value)]) of one result in either spelling."""
    task = _get(res, "Task", default="")
    if isinstance(task, dict):  # HF: {type, name}
        task = _get(task, "type", "name", default="")
    ds = _get(res, "Dataset", default="")
    parts: list[str] = []
    if isinstance(ds, dict):    # HF: {type, name, config, split, args}
        args = _get(ds, "args", default={})
        shots = _get(args, "num_few_shot") if isinstance(args, dict) else None
        parts = [str(p) for p in (_get(ds, "config"), _get(ds, "split")) if p not in (None, "")]
        if shots not in (None, ""):
            parts.append(f"{shots}-shot")
        ds = _get(ds, "name", "type", default="")
    metrics = _get(res, "Metrics", default={})
    if isinstance(metrics, dict):
        pairs = list(metrics.items())
    else:                       # HF: [{type, value, name}]
        pairs = [(_get(m, "type", "name", default=""), _get(m, "value")) for m in _as_list(metrics)
                 if isinstance(m, dict)]
    return str(task or ""), str(ds or "").strip(), parts, pairs


def parse_model_index(entries: Iterable[dict], report: DropReport,
                      model_id: Callable[[dict], str], subset_tag: str = "") -> list[dict]:
    """Record dicts from model-index entries (either spelling; see module docstring).

    ``model_id(entry)`` names the model; ``subset_tag`` prefixes every subset (a protocol tag,
    e.g. ``"hub-card"``). Every metric value read is counted in ``report``: null -> ``nan``,
    strings such as ``"72.31/90.40/89.50"`` (three metrics in one cell) -> ``non_numeric``,
    per-keypoint breakdowns and comment artefacts (``'# HRNet backbone'``) -> ``excluded``,
    and the same (model, dataset, subset, task, metric) seen again -> ``duplicate``.
    """
    out: list[dict] = []
    seen: set[tuple] = set()
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        model = model_id(entry)
        for res in _as_list(_get(entry, "Results", "results")):
            if not isinstance(res, dict):
                continue
            task_raw, dataset, parts, pairs = _result_fields(res)
            task = canonical_task(task_raw)
            extra = _TASK_SUBSET.get(task_raw.strip().lower(), "")
            for metric_raw, value in pairs:
                report.rows_read += 1
                split = split_metric(metric_raw)
                if split is None or not dataset or dataset.startswith("#"):
                    report.drop("excluded")
                    continue
                metric, suffix = split
                subset = "/".join(p for p in (subset_tag, *parts, extra, suffix) if p)
                if isinstance(value, str) and "/" in value:
                    report.drop("non_numeric")  # several metrics packed in one cell
                    continue
                score, why = parse_score(value)
                if why:
                    report.drop(why)
                    continue
                key = (model, dataset, subset, task, metric)
                if key in seen:
                    report.drop("duplicate")
                    continue
                seen.add(key)
                out.append({"model": model, "dataset": dataset, "subset": subset, "task": task,
                            "metric": metric, "score": score, "higher_is_better": None})
    return out


def dataset_family(name: str) -> str:
    """Benchmark family of a free-text vision dataset name: version, size, split and view
    suffixes removed (``"LVIS v1"``, ``"COCO-Stuff 164k"``, ``"S3DIS Area1"``, ``"Kinetics-400"``,
    ``"Human-Art(GT)"`` -> ``LVIS``, ``COCO-Stuff``, ``S3DIS``, ``Kinetics``, ``Human-Art``)."""
    s = re.sub(r"\s*\(.*?\)\s*$", "", str(name)).strip()
    suffix = re.compile(r"(\s+\d+k|[\s_-]+(v\d[\d.]*|area\d+|\d{2,4}|2d|3d|half-val|test|val|xsub))$",
                        re.IGNORECASE)
    prev = None
    while prev != s:
        prev, s = s, suffix.sub("", s).strip()
    return s or str(name)


# ---------------------------------------------------------------- OpenMMLab metafiles

def _metafiles(source_dir: Path) -> list[Path]:
    return sorted(p for p in source_dir.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~5x faster


def _yaml(path: Path):
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # noqa: S506 - a safe loader


def _entry_metadata(entry: dict, collection: dict) -> dict:
    """Collection Metadata overridden key by key by the entry's own Metadata."""
    meta = dict(collection.get("Metadata") or {}) if isinstance(collection.get("Metadata"), dict) else {}
    own = entry.get("Metadata")
    if isinstance(own, dict):
        meta.update({k: v for k, v in own.items() if v is not None})
    return meta


def _model_row(model: str, meta: dict, collection: dict, coll_name: str, tasks: list[str]) -> dict:
    arch = [str(a) for a in _as_list(meta.get("Architecture"))]
    family = coll_name or (arch[0] if arch else "")
    data = ", ".join(str(t) for t in _as_list(meta.get("Training Data")) if not str(t).startswith("#"))
    paper = collection.get("Paper") if isinstance(collection.get("Paper"), dict) else {}
    desc = [f"Training data: {data}." if data else "",
            f"Architecture: {', '.join(arch)}." if arch else "",
            f"Paper: {paper.get('Title')}." if paper.get("Title") else ""]
    domains = {task_domain(t) for t in tasks}
    return {"model": model, "params_b": parse_param_count(meta.get("Parameters")),
            "family": re.sub(r"\s+", "-", family.strip().lower()) or None, "base_model": None,
            "modality": "multimodal" if "multimodal" in domains else "vision",
            "release_date": None, "open_weights": True, "license": "apache-2.0", "popularity": None,
            "description": " ".join(d for d in desc if d), "organization": "OpenMMLab",
            "pipeline_tag": tasks[0] if tasks else None}


def load_openmmlab(source_dir: Path):
    """Read all OpenMMLab metafiles under ``source_dir/<package>/configs``; see module docstring."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceFileError(f"missing source folder {source_dir}")
    report = DropReport()
    docs: list[tuple[str, dict]] = []
    collections: dict[str, dict[str, dict]] = defaultdict(dict)  # package -> name -> collection
    for path in _metafiles(source_dir):
        doc = read_file(path, _yaml, report)
        if not isinstance(doc, dict):
            continue
        package = path.relative_to(source_dir).parts[0]
        for c in _as_list(doc.get("Collections")):
            if isinstance(c, dict) and c.get("Name"):
                collections[package][str(c["Name"])] = c
        docs.append((package, doc))

    records: list[dict] = []
    models: dict[str, dict] = {}
    for package, doc in docs:
        entries = [e for e in _as_list(doc.get("Models")) if isinstance(e, dict) and e.get("Name")]
        recs = parse_model_index(entries, report, lambda e, p=package: f"{p}/{e['Name']}")
        records.extend(recs)
        tasks_of: dict[str, list[str]] = defaultdict(list)
        for r in recs:
            tasks_of[r["model"]].append(r["task"])
        for e in entries:
            model = f"{package}/{e['Name']}"
            coll_name = str(e.get("In Collection") or "")
            coll = collections[package].get(coll_name, {})
            row = _model_row(model, _entry_metadata(e, coll), coll, coll_name, tasks_of.get(model, []))
            models.setdefault(model, row)  # the first metafile naming a model keeps its metadata

    # the same (model, group) in two metafiles (mmpose lists a model per dataset file)
    kept, seen = [], set()
    for r in records:
        key = (r["model"], r["dataset"], r["subset"], r["task"], r["metric"])
        if key in seen:
            report.drop("duplicate")
            continue
        seen.add(key)
        kept.append(r)
    _split_mixed_scales(kept)
    return make_result(SOURCE, kept, list(models.values()), _dataset_rows(kept), report)


def _split_mixed_scales(records: list[dict]) -> None:
    """Packages publish some metrics in 0-1 and others in % (mmpose vs mmyolo COCO keypoint AP).
    Scores stay as published; a group where one package is all <= 1 while another exceeds 1.5
    gets the package appended to its subset, so no group mixes scales."""
    top: dict[tuple, dict[str, float]] = defaultdict(dict)
    for r in records:
        g, pkg = (r["dataset"], r["subset"], r["task"], r["metric"]), r["model"].split("/")[0]
        top[g][pkg] = max(top[g].get(pkg, float("-inf")), r["score"])
    mixed = {g for g, m in top.items() if min(m.values()) <= 1.0 and max(m.values()) > 1.5}
    for r in records:
        if (r["dataset"], r["subset"], r["task"], r["metric"]) in mixed:
            r["subset"] = "/".join(p for p in (r["subset"], r["model"].split("/")[0]) if p)


def _dataset_rows(records: list[dict]) -> list[dict]:
    """One row per dataset: the task with most models on it, family from the name, no
    description (a template fills it later)."""
    tasks: dict[str, Counter] = defaultdict(Counter)
    for ds, task, _model in {(r["dataset"], r["task"], r["model"]) for r in records}:
        tasks[ds][task] += 1
    rows = []
    for ds, cnt in sorted(tasks.items()):
        task = cnt.most_common(1)[0][0]
        rows.append({"dataset": ds, "family": dataset_family(ds), "description": "", "task": task,
                     "domain": task_domain(task), "languages": ""})
    return rows
