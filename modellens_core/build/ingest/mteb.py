"""MTEB results tree -> records, plus task (dataset) and model metadata from the mteb package.

Source folder ``sources/mteb/``: ``results/<org>__<model>/<revision>/<Task>.json`` and
``model_meta.json`` (a directory, or streamed from ``results*.tar.gz`` without extracting),
``tasks.jsonl.gz`` (task metadata), ``models.jsonl`` (model registry).

Records: one per (model, task, split, hf_subset). ``dataset`` = task name (superseded tasks
such as ``DBpediaClassification`` stay distinct from ``.v2``); ``subset`` = hf_subset, prefixed
by the split when it is not "test" (``"dev/default"``); ``metric`` = the task's main_score name
from tasks.jsonl (raw, e.g. ``ndcg_at_10``); ``score`` = main_score as published (0-1 mostly,
higher is better; correlations and p-MRR can be negative). Format A files carry
``scores: {split: [{hf_subset, main_score, ...}]}``; legacy format B files carry
``{split: {metric: v}}`` or ``{split: {hf_subset: {metric: v}}}`` and are read through the
tasks.jsonl main_score (with the legacy spellings in :data:`LEGACY_METRIC_PATHS`).

Drops: ``experiments/<variant>/`` runs, the speed tasks and the human / random-encoder
baselines -> "excluded"; aggregate tasks (with
``subtasks`` in tasks.jsonl) -> "aggregate_column"; NaN / missing main score -> "nan";
other revisions of the same (model, task, split, subset) -> "duplicate" (kept: the revision
in models.jsonl, then one with a model_meta.json, then a real hash over placeholders, then the
newest mteb_version, then format A over legacy, then the revision name). ``report.rows_read``
counts score values.

Dataset family rule (what the new-datasets split holds out together): tasks are joined when
(1) their ``dataset.path`` HF ids share a key (org dropped, version/language suffixes dropped),
(2) their names share a key (``.v2``/``v2``, ``HardNegatives``/``Lite``/``Decontaminated`` and
``-PL``/``-NL``/``-Fa``/``-VN``-style language suffixes and the ``VisualSTS`` rendering suffix
dropped), (3) tasks.jsonl links them
(``adapted_from``, ``superseded_by``, an aggregate's ``subtasks``). The family label is the
name key of the group's original task (adapted from nothing), else the shortest, e.g. ``ArguAna``, ``ArguAna-PL``, ``NanoArguAnaRetrieval``
-> "arguana"; ``MIRACLRetrieval``, ``MIRACLRetrievalHardNegatives`` -> "miraclretrieval".
"""
from __future__ import annotations

import gzip
import json
import os
import re
import tarfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ...common.tasks import task_domain
from .base import DropReport, SourceFileError, SourceResult, make_result, read_file
from .family_guess import guess_family

SOURCE = "mteb"
SPEED_TASKS = frozenset({"CPUSpeedTask", "GPUSpeedTask"})  # seconds, lower is better: dropped
# human annotators and the random encoder are reference points, not candidate models;
# BM25 (mteb/baseline-bm25s) is a real retrieval choice and stays
EXCLUDED_MODEL_DIRS = re.compile(r"^baseline__|random-encoder")
PLACEHOLDER_REVISIONS = frozenset({"1", "external", "no_revision_available", ""})
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
# legacy task names renamed since; metadata is taken from the new name, the dataset keeps the old
LEGACY_TASK_RENAMES = {
    "CMedQAv1": "CMedQAv1-reranking", "CMedQAv2": "CMedQAv2-reranking",
    "DiaBLaBitextMining": "DiaBlaBitextMining", "NorwegianParliament": "NorwegianParliamentClassification",
    "PPC": "PpcPC", "8TagsClustering": "EightTagsClustering", "ScalaDaClassification": "ScalaClassification",
    "ScalaNbClassification": "ScalaClassification", "ScalaSvClassification": "ScalaClassification",
    "mFollowIRCrossLingualInstructionRetrieval": "mFollowIRCrossLingual",
}
# MTEB task type -> canonical task (modellens_core.common.tasks). Types without an exact canonical
# task get the closest one of the right domain (e.g. VideoClustering -> video-classification).
TYPE_TO_TASK = {
    "Retrieval": "retrieval", "Classification": "text-classification", "Clustering": "clustering",
    "STS": "sts", "Reranking": "reranking", "PairClassification": "pair-classification",
    "BitextMining": "bitext-mining", "MultilabelClassification": "multilabel-classification",
    "InstructionRetrieval": "instruction-retrieval", "InstructionReranking": "instruction-retrieval",
    "Summarization": "summarization", "Regression": "text-classification",
    "Any2AnyRetrieval": "any-to-any-retrieval", "Any2AnyMultilingualRetrieval": "any-to-any-retrieval",
    "Any2AnyReranking": "any-to-any-retrieval", "DocumentUnderstanding": "any-to-any-retrieval",
    "Compositionality": "image-text-retrieval", "VisualSTS(eng)": "sts", "VisualSTS(multi)": "sts",
    "ImageClassification": "image-classification", "ImageClustering": "image-classification",
    "ZeroShotClassification": "zero-shot-image-classification",
    "VisionCentricQA": "visual-question-answering", "VideoCentricQA": "visual-question-answering",
    "VideoClassification": "video-classification", "VideoClustering": "video-classification",
    "VideoPairClassification": "video-classification", "VideoZeroshotClassification": "video-classification",
    "AudioClassification": "audio-classification", "AudioMultilabelClassification": "audio-classification",
    "AudioPairClassification": "audio-classification", "AudioZeroshotClassification": "audio-classification",
    "AudioClustering": "audio-clustering", "AudioReranking": "audio-retrieval",
}
# name suffix -> task, for result tasks missing from tasks.jsonl
_NAME_SUFFIX_TASK = (("InstructionRetrieval", "instruction-retrieval"), ("Retrieval", "retrieval"),
                     ("Reranking", "reranking"), ("PairClassification", "pair-classification"),
                     ("Classification", "text-classification"), ("Clustering", "clustering"),
                     ("BitextMining", "bitext-mining"), ("STS", "sts"))
_MODALITY = {"text": "text", "image": "vision", "video": "vision", "audio": "speech"}


# ----------------------------------------------------------------------------- reading the tree
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
class _Scan:
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


def _scan(source_dir: Path, tasks: dict, aggregates: set, report: DropReport) -> _Scan:
    """Parse every file once, counting the excluded / aggregate values as it goes."""
    scan = _Scan()
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
        info = tasks.get(task) or tasks.get(LEGACY_TASK_RENAMES.get(task, ""), {})
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


# ----------------------------------------------------------------------------- metadata files
def _read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _canonical_task(info: dict, task_name: str) -> str:
    """Canonical task for a tasks.jsonl row; retrieval/reranking over images/audio/video is
    any-to-any-retrieval. Falls back to the name's suffix for tasks missing from tasks.jsonl."""
    if not info:
        return next((t for sfx, t in _NAME_SUFFIX_TASK if task_name.endswith(sfx)), "embedding")
    task = TYPE_TO_TASK.get(info.get("type"), "embedding")
    if task in ("retrieval", "reranking") and info.get("category") not in (None, "t2t"):
        return "any-to-any-retrieval"
    return task


def _languages(eval_langs) -> str:
    """Comma-separated ISO 639-3 codes (script dropped), first-seen order."""
    langs = eval_langs.values() if isinstance(eval_langs, dict) else [eval_langs or []]
    codes = dict.fromkeys(code.split("-")[0] for group in langs for code in group)
    return ",".join(codes)


# ----------------------------------------------------------------------------- dataset families
_LANG_SUFFIX = re.compile(r"-(vn|nl|pl|fa|ar|de|fr|es|ja|ko|zh|ru|it|pt|tr|eng|multilingual)$", re.I)
_VARIANT_SUFFIX = re.compile(r"(hardnegatives|lite|decontaminated|(multilingual)?visualsts)$", re.I)
_VERSION_SUFFIX = re.compile(r"[-_.]?v\d+(\.\d+)?$", re.I)


def _strip_variants(s: str) -> str:
    """Drop version, variant and language suffixes repeatedly ("MSMARCO-FaHardNegatives" -> "MSMARCO")."""
    prev = None
    while prev != s:
        prev = s
        for rx in (_VERSION_SUFFIX, _VARIANT_SUFFIX, _LANG_SUFFIX):
            stripped = rx.sub("", s)
            s = stripped if len(re.sub(r"\W", "", stripped)) >= 2 else s
    return s


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _strip_variants(name).lower())


def _path_key(path) -> str | None:
    """Family key of an HF dataset id ("clips/beir-nl-arguana" -> "beirnlarguana"); None when
    absent or not an id (aggregate tasks have a sentence there)."""
    if not isinstance(path, str) or " " in path or not path.strip():
        return None
    key = re.sub(r"[^a-z0-9]", "", _strip_variants(path.rsplit("/", 1)[-1]).lower())
    return key or None


def dataset_families(tasks: dict) -> dict[str, str]:
    """Task name -> family label (see the module docstring for the rule)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    for name, info in tasks.items():
        node = "t:" + name
        union(node, "n:" + _name_key(name))
        pkey = _path_key((info.get("dataset") or {}).get("path"))
        if pkey:
            union(node, "p:" + pkey)
        links = list(info.get("adapted_from") or []) + list(info.get("subtasks") or [])
        links += [info["superseded_by"]] if info.get("superseded_by") else []
        for other in links:
            union(node, "n:" + _name_key(other))
    groups: dict[str, list[str]] = defaultdict(list)
    for node in list(parent):
        if node.startswith("n:"):
            groups[find(node)].append(node[2:])
    # label: prefer the key of a task adapted from nothing (the original benchmark), then the shortest
    originals = {_name_key(n) for n, info in tasks.items() if not info.get("adapted_from")}
    label = {root: min(keys, key=lambda k: (k not in originals, len(k), k))
             for root, keys in groups.items()}
    return {name: label[find("t:" + name)] for name in tasks}


def _datasets_frame(names, tasks: dict, families: dict) -> pd.DataFrame:
    rows = []
    for name in names:
        info = tasks.get(name) or tasks.get(LEGACY_TASK_RENAMES.get(name, ""), {})
        desc = (info.get("description") or "").strip()
        if info.get("domains"):  # MTEB's text domains ("Legal", "Written") are kept in the text
            desc = f"{desc}{'' if desc.endswith(('.', '!', '?')) or not desc else '.'} " \
                   f"Domains: {', '.join(info['domains'])}.".strip()
        task = _canonical_task(info, name)
        rows.append({"dataset": name, "family": families.get(LEGACY_TASK_RENAMES.get(name, name))
                     or _name_key(name), "description": desc, "task": task,
                     "domain": task_domain(task), "languages": _languages(info.get("eval_langs"))})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- models
def _modality(mods) -> object:
    """mteb modalities list -> text / vision / speech / multimodal (NA when absent)."""
    kinds = {_MODALITY.get(m, m) for m in (mods or [])}
    if not kinds:
        return pd.NA
    return kinds.pop() if len(kinds) == 1 else "multimodal"


def _model_row(model: str, meta: dict) -> dict:
    n = meta.get("n_parameters")
    params = n / 1e9 if isinstance(n, (int, float)) and not isinstance(n, bool) and n > 0 else pd.NA
    date = str(meta.get("release_date") or "")[:10]
    ow = meta.get("open_weights")
    base = meta.get("adapted_from")
    return {"model": model, "params_b": params, "family": guess_family(model) or pd.NA,
            "base_model": (", ".join(base) if isinstance(base, list) else base) or pd.NA,
            "modality": _modality(meta.get("modalities")),
            "release_date": date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else pd.NA,
            "open_weights": ow if isinstance(ow, bool) else pd.NA,
            "license": meta.get("license") or pd.NA, "popularity": pd.NA, "description": "",
            "organization": model.split("/", 1)[0] if "/" in model else pd.NA, "pipeline_tag": pd.NA}


def _models_frame(model_dirs, metas: dict, registry: dict) -> pd.DataFrame:
    """One row per result model (registry entry, gaps filled from its model_meta.json) plus the
    registry models without results (candidates)."""
    rows, seen = [], set()
    for model_dir in model_dirs:
        model = model_dir.replace("__", "/", 1)
        reg = registry.get(model, {})
        dir_metas = metas.get(model_dir, {})
        local = dir_metas.get(reg.get("revision")) or next(
            (m for r, m in sorted(dir_metas.items()) if r not in PLACEHOLDER_REVISIONS),
            next(iter(dir_metas.values()), {}))
        meta = {**local, **{k: v for k, v in reg.items() if v not in (None, "", [])}}
        rows.append(_model_row(model, meta))
        seen.add(model)
    rows += [_model_row(name, reg) for name, reg in registry.items() if name not in seen]
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- records
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


def _records(scan: _Scan, tasks: dict, registry: dict, report: DropReport) -> pd.DataFrame:
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
    infos = [tasks.get(n) or tasks.get(LEGACY_TASK_RENAMES.get(n, ""), {}) for n in task_names]
    canonical = np.array([_canonical_task(i, n) for i, n in zip(infos, task_names)], dtype=object)
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
    tasks = {t["name"]: t for t in read_file(source_dir / "tasks.jsonl.gz", _read_jsonl)}
    models_path = source_dir / "models.jsonl"
    registry = {m["name"]: m for m in (read_file(models_path, _read_jsonl, report) or [])} \
        if models_path.exists() else {}
    aggregates = {name for name, t in tasks.items() if t.get("subtasks")}
    scan = _scan(source_dir, tasks, aggregates, report)
    records = _records(scan, tasks, registry, report)
    model_dirs = sorted({m.replace("/", "__", 1) for m in records["model"].unique()})
    models = _models_frame(model_dirs, scan.metas, registry)
    # every described task is a catalog dataset, scored or not (a query may match one nobody has
    # evaluated yet); aggregates and speed tasks are not datasets
    described = {n for n in tasks if n not in aggregates and n not in SPEED_TASKS}
    datasets = _datasets_frame(sorted(set(records["dataset"].unique()) | described), tasks,
                               dataset_families(tasks))
    return make_result(SOURCE, records, models, datasets, report)
