"""Checks on the frozen practitioner evaluation set (benchmarks/practitioner/*.jsonl).

Reads only the two JSONL files and, for vocabulary checks, a few columns of the corpus parquet files.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SET_DIR = ROOT / "benchmarks" / "practitioner"
CORPUS = ROOT / "assets" / "corpus"

SCHEMA = {
    "id": str, "description": str, "written_in": str, "tasks": list, "modality": (str, type(None)),
    "languages": list, "metrics": list, "not_covered": bool, "gibberish": bool, "dataset": (str, type(None)),
}
MODALITIES = {"text", "vision", "speech", "code", "multimodal", "graph", "tabular", "time-series"}
WRITTEN_IN = {"en", "de", "zh", "es", "fr"}
# Metrics a user may name explicitly that do not occur in records.metric (keep small).
EXPLICIT_METRICS = {"cer", "pearson"}


def _load(name: str) -> list[dict]:
    rows = []
    with open(SET_DIR / name, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            assert line.strip(), f"{name}:{n} is blank"
            rows.append(json.loads(line))
    return rows


@pytest.fixture(scope="module")
def parts() -> dict[str, list[dict]]:
    return {"tune": _load("tune.jsonl"), "test": _load("test.jsonl")}


@pytest.fixture(scope="module")
def items(parts) -> list[dict]:
    return parts["tune"] + parts["test"]


@pytest.fixture(scope="module")
def corpus():
    d = pd.read_parquet(CORPUS / "datasets.parquet", columns=["dataset", "task"])
    r = pd.read_parquet(CORPUS / "records.parquet", columns=["dataset", "task", "metric"])
    split = pd.read_parquet(CORPUS / "splits" / "new_datasets.parquet", columns=["split"])
    test_ds = set(r.loc[split["split"].values == "test", "dataset"].unique())
    return {
        "tasks": set(d["task"]) | set(r["task"]),
        "metrics": set(r["metric"]),
        "dataset_task": dict(zip(d["dataset"], d["task"])),
        "test_datasets": test_ds,
    }


def test_schema_and_types(items):
    for it in items:
        assert set(it) == set(SCHEMA), (it.get("id"), set(it) ^ set(SCHEMA))
        for key, typ in SCHEMA.items():
            assert isinstance(it[key], typ), (it["id"], key, it[key])
        for key in ("tasks", "languages", "metrics"):
            assert all(isinstance(x, str) and x for x in it[key]), (it["id"], key)
            assert len(set(it[key])) == len(it[key]), (it["id"], key, "duplicates")
        assert it["description"].strip() == it["description"] and it["description"], it["id"]


def test_ids_and_descriptions_unique(parts, items):
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids))
    assert all(it["id"].startswith("p") for it in parts["tune"])
    assert all(it["id"].startswith("t") for it in parts["test"])
    descs = [it["description"].strip().lower() for it in items]
    assert len(descs) == len(set(descs))


def test_fields_in_vocabulary(items, corpus):
    for it in items:
        assert it["written_in"] in WRITTEN_IN, it["id"]
        for t in it["tasks"]:
            assert t in corpus["tasks"], (it["id"], t)
        if it["gibberish"]:
            assert it["modality"] is None or it["modality"] in MODALITIES, it["id"]
        else:
            assert it["modality"] in MODALITIES, (it["id"], it["modality"])


def test_flags_consistent(items):
    for it in items:
        assert not (it["not_covered"] and it["gibberish"]), it["id"]
        if it["not_covered"] or it["gibberish"]:
            assert it["tasks"] == [] and it["metrics"] == [] and it["dataset"] is None, it["id"]
        else:
            assert it["tasks"], it["id"]
            assert it["metrics"], it["id"]
        if it["not_covered"]:
            assert it["modality"] in {"tabular", "time-series", "text", "vision", "speech", "graph"}, it["id"]


def test_heldout_datasets(items, corpus):
    for it in items:
        ds = it["dataset"]
        if ds is None:
            continue
        assert ds in corpus["dataset_task"], (it["id"], ds)
        assert ds in corpus["test_datasets"], (it["id"], ds, "not in new_datasets test part")
        assert corpus["dataset_task"][ds] in it["tasks"], (it["id"], ds, corpus["dataset_task"][ds])


def test_metrics_in_vocabulary(items, corpus):
    allowed = corpus["metrics"] | EXPLICIT_METRICS
    for it in items:
        for m in it["metrics"]:
            assert m in allowed, (it["id"], m)


def test_sizes_and_coverage(parts, items):
    assert len(items) >= 150
    assert len(parts["test"]) >= 60
    tasks = {t for it in items for t in it["tasks"]}
    assert len(tasks) >= 25
    assert len({it["modality"] for it in items if it["modality"]}) >= 5
    langs = Counter(it["written_in"] for it in items)
    for lang in ("de", "zh", "es", "fr"):
        assert langs[lang] >= 10, (lang, langs[lang])


def test_each_part_is_stratified(parts):
    for name, part in parts.items():
        assert any(it["dataset"] for it in part), name
        assert any(not it["dataset"] and it["tasks"] for it in part), name
        assert any(it["not_covered"] for it in part), name
        assert any(it["gibberish"] for it in part), name
        langs = {it["written_in"] for it in part}
        assert {"de", "zh", "es", "fr"} <= langs, (name, langs)
