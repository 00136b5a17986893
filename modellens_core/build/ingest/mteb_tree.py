"""Reading the MTEB results tree of ``sources/mteb/``: ``results/<org>__<model>/<revision>/<Task>.json``
and ``model_meta.json``, from a directory or streamed from ``results*.tar.gz`` without extracting.

One pass (:func:`scan_tree`) parses every file once and keeps, per task file, its (split,
hf_subset, main score) values. Format A files carry ``scores: {split: [{hf_subset, main_score,
...}]}``; legacy format B files carry ``{split: {metric: v}}`` or ``{split: {hf_subset: {metric:
v}}}`` and are read through the tasks.jsonl main_score (with the legacy spellings in
:data:`LEGACY_METRIC_PATHS`; ``cos_sim.ap`` is not ``max_ap``). Traps: ``experiments/<variant>/``
runs, the speed tasks (seconds, lower is better) and the human / random-encoder baselines are
"excluded" (BM25 is a real retrieval choice and stays); aggregate tasks are "aggregate_column"; a
legacy file whose main score is absent counts as "nan"; tasks missing from tasks.jsonl get the
metric whose value equals main_score. ``report.rows_read`` counts score values.
"""
from __future__ import annotations

import json
import os
import re
import tarfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .base import DropReport, SourceFileError, read_file
from .mteb_metadata import task_info

SPEED_TASKS = frozenset({"CPUSpeedTask", "GPUSpeedTask"})  # seconds, lower is better: dropped
# human annotators and the random encoder are reference points, not candidate models;
# BM25 (mteb/baseline-bm25s) is a real retrieval choice and stays
EXCLUDED_MODEL_DIRS = re.compile(r"^baseline__|random-encoder")
_LEGACY_META_KEYS = frozenset({"dataset_revision", "mteb_dataset_name", "mteb_version",
                               "evaluation_time", "kg_co2_emissions", "date"})
# tasks.jsonl main_score -> dotted paths that hold the same quantity in legacy (format B) files.
# cos_sim.ap is NOT max_ap and plain map is NOT max_over_subqueries_map: those stay unmatched.
LEGACY_METRIC_PATHS = {
    "cosine_spearman": ("cosine_spearman", "cos_sim.spearman"),
    "cosine_pearson": ("cosine_pearson", "cos_sim.pearson"),
    "max_ap": ("max_ap", "max.ap"),
    "max_accuracy": ("max_accuracy", "max.accuracy"),
    "max_f1": ("max_f1", "max.f1"),
    "map_at_1000": ("map_at_1000", "map"),
}


def _iter_tree(source_dir: Path) -> Iterator[tuple[list[str], bytes]]:
    """Yield (path parts below ``results/``, file bytes) for every JSON file of the tree:
    from ``source_dir/results/`` when it is a directory, else streamed from ``results*.tar.gz``."""
    tree = source_dir / "results"
    if tree.is_dir():
        for root, _dirs, files in os.walk(tree):
            rel = Path(root).relative_to(tree).parts
            for name in files:
                if name.endswith(".json"):
                    yield [*rel, name], (Path(root) / name).read_bytes()
        return
    archives = sorted(source_dir.glob("results*.tar.gz"))
    if not archives:
        raise SourceFileError(f"no results/ folder or results*.tar.gz in {source_dir}")
    with tarfile.open(archives[0], "r|gz") as tf:  # stream mode: one pass, nothing on disk
        for member in tf:
            if not (member.isfile() and member.name.endswith(".json")):
                continue
            parts = [p for p in member.name.split("/") if p not in ("", ".")]
            if parts and parts[0] == "results":
                parts = parts[1:]
            yield parts, tf.extractfile(member).read()


def _version_key(version) -> int:
    """mteb_version "1.12.3" -> 1012003 (sortable); 0 when unparseable."""
    nums = re.findall(r"\d+", str(version or ""))[:3]
    nums = [int(n) for n in nums] + [0] * (3 - len(nums))
    return nums[0] * 1_000_000 + min(nums[1], 999) * 1000 + min(nums[2], 999)


def _legacy_lookup(values: dict, main: str):
    """The main score in one legacy split/subset dict, or None when it is not there."""
    for path in LEGACY_METRIC_PATHS.get(main, (main,)):
        v = values
        for key in path.split("."):
            v = v.get(key) if isinstance(v, dict) else None
        if v is not None and not isinstance(v, dict):
            return v
    return None


def _legacy_values(doc: dict, main: str) -> tuple[list[tuple[str, str, object]], int]:
    """(split, hf_subset, value) triples of a legacy file, and the number of split/subset
    entries where the main score is absent."""
    out, missing = [], 0
    for split, block in doc.items():
        if split in _LEGACY_META_KEYS or not isinstance(block, dict):
            continue
        v = _legacy_lookup(block, main)
        if v is not None:
            out.append((split, "default", v))
            continue
        subsets = {k: b for k, b in block.items() if isinstance(b, dict)}
        found = {k: _legacy_lookup(b, main) for k, b in subsets.items()}
        if any(x is not None for x in found.values()):
            out.extend((split, k, x) for k, x in found.items() if x is not None)
            missing += sum(x is None for x in found.values())
        else:
            missing += 1
    return out, missing


def _infer_metric(doc: dict) -> str:
    """Name of the metric whose value equals main_score in a format A file (for tasks missing
    from tasks.jsonl); "main_score" when none does."""
    for entries in doc["scores"].values():
        for e in (entries if isinstance(entries, list) else [entries]):
            hit = [k for k, v in e.items() if k != "main_score" and v == e.get("main_score")
                   and isinstance(v, float)]
            if hit:
                return hit[0]
    return "main_score"


def _file_values(doc: dict, info: dict, report: DropReport, where: str):
    """(split, hf_subset, value) triples of one task file (format A or legacy B)."""
    if "scores" in doc:
        return [(split, e.get("hf_subset", "default"), e.get("main_score"))
                for split, entries in doc["scores"].items()
                for e in (entries if isinstance(entries, list) else [entries])]
    main = info.get("main_score")
    if not main:
        report.drop("unparseable_file")
        report.notes.append(f"{where}: legacy file of a task without main_score in tasks.jsonl")
        return []
    values, missing = _legacy_values(doc, main)
    if missing:
        report.drop("nan", missing)  # the main-score cell is absent: counted as an empty score
        report.rows_read += missing
    return values


@dataclass
class TreeScan:
    """What one pass over the tree keeps. ``files``: one tuple (model_dir, revision, task,
    version_key, is_format_a) per kept task file; the value columns (``file_idx``, ``split``,
    ``subset``, ``value``) have one entry per kept score value; ``metas``: model_dir ->
    {revision: model_meta dict}; ``inferred``: main-metric names of tasks not in tasks.jsonl."""

    files: list = field(default_factory=list)
    file_idx: list = field(default_factory=list)
    split: list = field(default_factory=list)
    subset: list = field(default_factory=list)
    value: list = field(default_factory=list)
    metas: dict = field(default_factory=lambda: defaultdict(dict))
    inferred: dict = field(default_factory=dict)

    def add(self, file_key: tuple, values: list) -> None:
        idx = len(self.files)
        self.files.append(file_key)
        self.file_idx.extend([idx] * len(values))
        for split, subset, value in values:
            self.split.append(split)
            self.subset.append(subset)
            self.value.append(value)


def scan_tree(source_dir: Path, tasks: dict, aggregates: set, report: DropReport) -> TreeScan:
    """Parse every file once, counting the excluded / aggregate values as it goes."""
    scan = TreeScan()
    for parts, raw in _iter_tree(source_dir):
        where = "/".join(parts)
        if len(parts) < 3:
            continue
        model_dir, revision, rest = parts[0], parts[1], parts[2:]
        doc = read_file(Path(where), lambda _p: json.loads(raw), report)
        if not isinstance(doc, dict):
            continue
        if rest[-1] == "model_meta.json":
            if len(rest) == 1:  # experiments/<variant>/model_meta.json describe skipped runs
                scan.metas[model_dir][revision] = doc
            continue
        task = doc.get("task_name") or doc.get("mteb_dataset_name") or rest[-1][:-5]
        info = task_info(tasks, task)
        values = _file_values(doc, info, report, where)
        if not info and "scores" in doc and task not in scan.inferred:
            scan.inferred[task] = _infer_metric(doc)
        report.rows_read += len(values)
        if rest[0] == "experiments" or task in SPEED_TASKS or EXCLUDED_MODEL_DIRS.search(model_dir):
            report.drop("excluded", len(values))  # alternative configs / seconds / baselines
        elif task in aggregates:
            report.drop("aggregate_column", len(values))
        elif values:
            scan.add((model_dir, revision, task, _version_key(doc.get("mteb_version")),
                      "scores" in doc), values)
    return scan
