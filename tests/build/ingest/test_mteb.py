"""MTEB adapter on a tiny native results tree (tests/fixtures/mteb), as a folder and a .tar.gz."""
from __future__ import annotations

import gzip
import json
import math
import shutil
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from modellens_core.build.ingest import mteb, mteb_metadata
from modellens_core.build.ingest.base import RECORD_COLUMNS, SourceFileError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "mteb"


@pytest.fixture(scope="module")
def result():
    return mteb.load(FIXTURE)


def _score(records: pd.DataFrame, model: str, dataset: str, subset: str) -> float:
    hit = records[(records.model == model) & (records.dataset == dataset) & (records.subset == subset)]
    assert len(hit) == 1, (model, dataset, subset, hit)
    return float(hit.score.iloc[0])


def test_records_one_per_model_task_split_subset(result):
    rec = result.records
    assert list(rec.columns) == RECORD_COLUMNS
    assert (rec.source == "mteb").all()
    assert len(rec) == 10
    assert not rec.duplicated(["model", "dataset", "subset", "task", "metric"]).any()
    assert _score(rec, "intfloat/e5-small", "STS17", "en-en") == 0.8
    # non-test splits are prefixed to the subset
    assert _score(rec, "intfloat/e5-small", "DBpediaClassification", "validation/default") == 0.88
    assert _score(rec, "intfloat/e5-small", "DBpediaClassification", "default") == 0.9
    # the metric is the task's main_score name from tasks.jsonl
    sts = rec[rec.dataset == "STS17"]
    assert set(sts.metric) == {"cosine_spearman"} and set(sts.task) == {"sts"}
    assert set(rec[rec.dataset == "PawsXPairClassification"].task) == {"pair-classification"}


def test_variant_suffix_kept_in_model_id(result):
    assert _score(result.records, "voyageai/voyage-x_(output_dtype=int8)", "ArguAna", "default") == 0.55


def test_revisions_deduplicated_preferring_registry_revision(result):
    rec = result.records
    # external/ has a newer mteb_version but aaaa1111 is the models.jsonl revision
    assert _score(rec, "intfloat/e5-small", "ArguAna", "default") == 0.5
    assert _score(rec, "intfloat/e5-small", "SciFact", "default") == 0.6  # only in external/: kept
    assert result.report.dropped["duplicate"] == 1


def test_legacy_format_b_uses_tasks_main_score(result):
    rec = result.records
    assert _score(rec, "BAAI/bge-tiny", "ArguAna-PL", "default") == 0.4
    assert _score(rec, "BAAI/bge-tiny", "STS17", "ko-ko") == 0.6  # cos_sim.spearman
    assert _score(rec, "BAAI/bge-tiny", "PawsXPairClassification", "fr") == 0.65  # max.ap, not cos_sim.ap
    assert not ((rec.model == "BAAI/bge-tiny") & rec.subset.str.startswith("validation")).any()


def test_drop_reasons_add_up(result):
    rep, rec = result.report, result.records
    assert rep.dropped["excluded"] == 3          # experiments/, CPUSpeedTask, baseline__Human
    assert rep.dropped["aggregate_column"] == 1  # CQADupstackRetrieval
    assert rep.dropped["nan"] == 2               # a NaN main_score + a legacy split without max.ap
    assert rep.dropped["unparseable_file"] == 1 and any("Broken.json" in n for n in rep.notes)
    rows = sum(n for reason, n in rep.dropped.items() if reason != "unparseable_file")
    assert rep.rows_read == len(rec) + rows == 17
    assert not rec.model.str.contains("Human").any()
    assert "CPUSpeedTask" not in set(rec.dataset) and "CQADupstackRetrieval" not in set(rec.dataset)


def test_models_metadata(result):
    models = result.models.set_index("model")
    assert set(result.records.model) <= set(models.index)
    e5 = models.loc["intfloat/e5-small"]
    assert math.isclose(e5.params_b, 0.03336)  # billions
    assert e5.release_date == "2023-01-02" and e5.family == "e5" and e5.modality == "text"
    assert e5.organization == "intfloat" and bool(e5.open_weights) is True
    bge = models.loc["BAAI/bge-tiny"]
    assert pd.isna(bge.params_b)  # n_parameters 0 means unknown
    assert bge.base_model == "BAAI/bge-small"
    voyage = models.loc["voyageai/voyage-x_(output_dtype=int8)"]  # from its model_meta.json
    assert voyage.license == "proprietary" and bool(voyage.open_weights) is False
    clip = models.loc["openai/clip-only-meta"]  # registry model without results: a candidate
    assert clip.modality == "multimodal" and math.isclose(clip.params_b, 0.428)


def test_datasets_metadata(result):
    ds = result.datasets.set_index("dataset")
    # every scored task, plus described tasks nobody scored; never aggregates or speed tasks
    assert set(result.records.dataset) < set(ds.index)
    assert not {"CPUSpeedTask", "GPUSpeedTask"} & set(ds.index)
    assert ds.loc["ArguAna", "description"].startswith("NFCorpus-style argument retrieval.")
    assert "Social" in ds.loc["ArguAna", "description"]  # MTEB text domains are kept
    assert ds.loc["STS17", "languages"] == "eng,kor"
    assert ds.loc["ArguAna", "task"] == "retrieval" and ds.loc["ArguAna", "domain"] == "text"
    assert (ds.description.str.len() > 0).all()


def test_family_rule():
    with gzip.open(FIXTURE / "tasks.jsonl.gz", "rt") as fh:
        tasks = {t["name"]: t for t in map(json.loads, fh)}
    fam = mteb_metadata.dataset_families(tasks)
    assert fam["ArguAna"] == fam["ArguAna-PL"] == "arguana"
    assert fam["DBpediaClassification"] == fam["DBpediaClassification.v2"]
    assert fam["MIRACLRetrieval"] == fam["MIRACLRetrievalHardNegatives"] == "miraclretrieval"
    assert fam["CQADupstackAndroidRetrieval"] == fam["CQADupstackEnglishRetrieval"]  # via subtasks
    assert len({fam["ArguAna"], fam["SciFact"], fam["STS17"], fam["MIRACLRetrieval"]}) == 4
    assert mteb_metadata.canonical_task(tasks["Flickr30kT2IRetrieval"], "Flickr30kT2IRetrieval") == "any-to-any-retrieval"


def test_tar_gz_gives_the_same_result(tmp_path, result):
    for name in ("tasks.jsonl.gz", "models.jsonl"):
        shutil.copy(FIXTURE / name, tmp_path / name)
    with tarfile.open(tmp_path / "results_slim.tar.gz", "w:gz") as tf:
        tf.add(FIXTURE / "results", arcname="results")
    from_tar = mteb.load(tmp_path)
    key = ["model", "dataset", "subset"]
    a = result.records.sort_values(key).reset_index(drop=True)
    b = from_tar.records.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert from_tar.report.rows_read == result.report.rows_read
    assert dict(from_tar.report.dropped) == dict(result.report.dropped)
    assert len(from_tar.models) == len(result.models)


def test_missing_folder_and_missing_tree(tmp_path):
    with pytest.raises(SourceFileError):
        mteb.load(tmp_path / "absent")
    shutil.copy(FIXTURE / "tasks.jsonl.gz", tmp_path / "tasks.jsonl.gz")
    with pytest.raises(SourceFileError, match="results"):
        mteb.load(tmp_path)
