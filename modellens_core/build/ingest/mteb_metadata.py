"""MTEB task and model metadata: ``tasks.jsonl.gz`` and ``models.jsonl`` of ``sources/mteb/``
(read by :func:`read_jsonl`) mapped to the dataset and model frames of the contract.

Tasks: the MTEB task type maps to a canonical task (:data:`TYPE_TO_TASK`; retrieval/reranking
over images/audio/video is any-to-any-retrieval, tasks missing from tasks.jsonl fall back to their
name's suffix); legacy task names renamed since (:data:`LEGACY_TASK_RENAMES`) take their metadata
from the new name while the dataset keeps the old one. Models: one row per result model (registry
entry, gaps filled from its ``model_meta.json``, preferring the registry revision, then a real
revision over placeholders) plus the registry models without results (candidates).

Dataset family rule (what the new-datasets split holds out together): tasks are joined when
(1) their ``dataset.path`` HF ids share a key (org dropped, version/language suffixes dropped),
(2) their names share a key (``.v2``/``v2``, ``HardNegatives``/``Lite``/``Decontaminated`` and
``-PL``/``-NL``/``-Fa``/``-VN``-style language suffixes and the ``VisualSTS`` rendering suffix
dropped), (3) tasks.jsonl links them (``adapted_from``, ``superseded_by``, an aggregate's
``subtasks``). The family label is the name key of the group's original task (adapted from
nothing), else the shortest, e.g. ``ArguAna``, ``ArguAna-PL``, ``NanoArguAnaRetrieval`` ->
"arguana"; ``MIRACLRetrieval``, ``MIRACLRetrievalHardNegatives`` -> "miraclretrieval".
"""
from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from ...common.tasks import task_domain
from .family_guess import guess_family

# revision folder names that are not real model revisions
PLACEHOLDER_REVISIONS = frozenset({"1", "external", "no_revision_available", ""})
# legacy task names renamed since; metadata is taken from the new name, the dataset keeps the old
LEGACY_TASK_RENAMES = {
    "CMedQAv1": "CMedQAv1-reranking", "CMedQAv2": "CMedQAv2-reranking",
    "DiaBLaBitextMining": "DiaBlaBitextMining", "NorwegianParliament": "NorwegianParliamentClassification",
    "PPC": "PpcPC", "8TagsClustering": "EightTagsClustering", "ScalaDaClassification": "ScalaClassification",
    "ScalaNbClassification": "ScalaClassification", "ScalaSvClassification": "ScalaClassification",
    "mFollowIRCrossLingualInstructionRetrieval": "mFollowIRCrossLingual",
}


def task_info(tasks: dict, name: str) -> dict:
    """The tasks.jsonl row of a task, looked up under its new name when it was renamed; {} if absent."""
    return tasks.get(name) or tasks.get(LEGACY_TASK_RENAMES.get(name, ""), {})


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


# ----------------------------------------------------------------------------- metadata files
def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON-lines file, gzipped (``.gz``) or plain."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def canonical_task(info: dict, task_name: str) -> str:
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


def datasets_frame(names, tasks: dict, families: dict) -> pd.DataFrame:
    rows = []
    for name in names:
        info = task_info(tasks, name)
        desc = (info.get("description") or "").strip()
        if info.get("domains"):  # MTEB's text domains ("Legal", "Written") are kept in the text
            desc = f"{desc}{'' if desc.endswith(('.', '!', '?')) or not desc else '.'} " \
                   f"Domains: {', '.join(info['domains'])}.".strip()
        task = canonical_task(info, name)
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


def models_frame(model_dirs, metas: dict, registry: dict) -> pd.DataFrame:
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
