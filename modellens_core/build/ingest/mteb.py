"""MTEB results (``mteb``) -> records, plus task (dataset) and model metadata from the mteb package.

Source folder ``sources/mteb/``: the results tree (read by :mod:`.mteb_tree`), ``tasks.jsonl.gz``
(task metadata) and ``models.jsonl`` (model registry), both mapped by :mod:`.mteb_metadata`.

Records: one per (model, task, split, hf_subset). ``dataset`` = task name (superseded tasks
such as ``DBpediaClassification`` stay distinct from ``.v2``); ``subset`` = hf_subset, prefixed
by the split when it is not "test" (``"dev/default"``); ``metric`` = the task's main_score name
from tasks.jsonl (raw, e.g. ``ndcg_at_10``); ``score`` = main_score as published (0-1 mostly,
higher is better; correlations and p-MRR can be negative).

Drops: excluded runs, tasks and baselines, aggregate tasks and absent legacy scores are counted
while the tree is read (see :mod:`.mteb_tree`); NaN / missing main score -> "nan"; other
revisions of the same (model, task, split, subset) -> "duplicate" (kept: the revision in
models.jsonl, then one with a model_meta.json, then a real hash over placeholders, then the newest
mteb_version, then format A over legacy, then the revision name). Every described task is a
catalog dataset, scored or not; aggregates and speed tasks are not.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .base import DropReport, SourceFileError, SourceResult, make_result, read_file
from .mteb_metadata import (PLACEHOLDER_REVISIONS, canonical_task, dataset_families, datasets_frame, models_frame,
                            read_jsonl, task_info)
from .mteb_tree import SPEED_TASKS, TreeScan, scan_tree

SOURCE = "mteb"


def _file_rank(files: list, metas: dict, registry: dict) -> np.ndarray:
    """Preference rank of each task file (0 = kept first) among revisions of one model: the
    models.jsonl revision, then a revision with model_meta.json, then a real hash over
    placeholders, then the newest mteb_version, then format A over legacy, then the revision
    name (a fixed tie-break, so a folder and its archive give the same records)."""
    def pref(f):
        model_dir, revision, _task, version, fmt_a = f
        reg = registry.get(model_dir.replace("__", "/", 1), {}).get("revision")
        return (revision == reg, revision in metas.get(model_dir, {}),
                revision not in PLACEHOLDER_REVISIONS, version, fmt_a, revision)
    order = sorted(range(len(files)), key=lambda i: pref(files[i]), reverse=True)
    rank = np.empty(len(files), dtype=np.int64)
    rank[order] = np.arange(len(files))
    return rank


def _scores(values: list, report: DropReport) -> np.ndarray:
    """Float scores; None/NaN counted as "nan", strings as "non_numeric" (both become NaN)."""
    try:
        score = np.array(values, dtype=float)  # fast path: numbers and None only
        report.drop("nan", int(np.isnan(score).sum()))
        return score
    except (TypeError, ValueError):
        raw = pd.Series(values, dtype=object)
        score = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        empty = raw.isna().to_numpy()
        report.drop("nan", int(empty.sum()))
        report.drop("non_numeric", int((np.isnan(score) & ~empty).sum()))
        return score


def _factorize(values: list) -> tuple[np.ndarray, np.ndarray]:
    """(codes, uniques as an object array); kept off pandas' arrow strings, which are slow here."""
    codes, uniques = pd.factorize(np.array(values, dtype=object))
    return codes, np.asarray(uniques, dtype=object)


def _records(scan: TreeScan, tasks: dict, registry: dict, report: DropReport) -> pd.DataFrame:
    """Value columns -> record frame: NaN dropped, one value per (model, task, split, subset)."""
    fidx = np.asarray(scan.file_idx, dtype=np.int64)
    score = _scores(scan.value, report)
    model_code, model_dirs = _factorize([f[0] for f in scan.files])
    task_code, task_names = _factorize([f[2] for f in scan.files])
    split_code, splits = _factorize(scan.split)
    subset_code, subsets = _factorize(scan.subset)
    # best-ranked file first, then drop later copies of the same (model, task, split, subset)
    order = np.argsort(_file_rank(scan.files, scan.metas, registry)[fidx], kind="stable")
    order = order[~np.isnan(score[order])]
    keys = pd.DataFrame({"m": model_code[fidx[order]], "t": task_code[fidx[order]],
                         "s": split_code[order], "h": subset_code[order]})
    dup = keys.duplicated().to_numpy()
    report.drop("duplicate", int(dup.sum()))
    keep = order[~dup]
    m, t = model_code[fidx[keep]], task_code[fidx[keep]]
    # subset label per (split, hf_subset) pair: "fra" on test, "dev/default" elsewhere
    pair, pair_idx = np.unique(split_code[keep] * len(subsets) + subset_code[keep], return_inverse=True)
    labels = np.array([str(subsets[p % len(subsets)]) if splits[p // len(subsets)] == "test"
                       else f"{splits[p // len(subsets)]}/{subsets[p % len(subsets)]}" for p in pair],
                      dtype=object)
    infos = [task_info(tasks, n) for n in task_names]
    canonical = np.array([canonical_task(i, n) for i, n in zip(infos, task_names)], dtype=object)
    metric = np.array([i.get("main_score") or scan.inferred.get(n, "main_score")
                       for i, n in zip(infos, task_names)], dtype=object)
    model_ids = np.array([d.replace("__", "/", 1) for d in model_dirs], dtype=object)
    return pd.DataFrame({
        "model": model_ids[m], "dataset": task_names[t], "subset": labels[pair_idx.ravel()],
        "task": canonical[t], "metric": metric[t], "score": score[keep],
        "higher_is_better": None,  # mteb does not state it per record: the direction table decides
    })


def load(source_dir: Path) -> SourceResult:
    """Read the MTEB source folder into a SourceResult (see the module docstring)."""
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceFileError(f"MTEB source folder not found: {source_dir}")
    report = DropReport()
    tasks = {t["name"]: t for t in read_file(source_dir / "tasks.jsonl.gz", read_jsonl)}
    models_path = source_dir / "models.jsonl"
    registry = {m["name"]: m for m in (read_file(models_path, read_jsonl, report) or [])} \
        if models_path.exists() else {}
    aggregates = {name for name, t in tasks.items() if t.get("subtasks")}
    scan = scan_tree(source_dir, tasks, aggregates, report)
    records = _records(scan, tasks, registry, report)
    model_dirs = sorted({m.replace("/", "__", 1) for m in records["model"].unique()})
    models = models_frame(model_dirs, scan.metas, registry)
    # every described task is a catalog dataset, scored or not (a query may match one nobody has
    # evaluated yet); aggregates and speed tasks are not datasets
    described = {n for n in tasks if n not in aggregates and n not in SPEED_TASKS}
    datasets = datasets_frame(sorted(set(records["dataset"].unique()) | described), tasks,
                              dataset_families(tasks))
    return make_result(SOURCE, records, models, datasets, report)
