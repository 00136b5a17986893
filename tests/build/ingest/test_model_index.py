"""model-index schema: OpenMMLab metafiles and Hugging Face model cards (ingest_hub)."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modellens_core.build.ingest.base import DropReport
from modellens_core.build.ingest.hub_cards import (FILE, HubCardError, cli_ingest_hub, ingest_hub,
                                             load_hub_cards)
from modellens_core.build.ingest.model_index import (canonical_task, dataset_family, load_openmmlab,
                                               parse_model_index, parse_param_count, split_metric)

FIX = Path(__file__).resolve().parents[2] / "fixtures"
MMLAB, CARDS = FIX / "model_index", FIX / "hub_cards"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def mm():
    return load_openmmlab(MMLAB)


def _rec(res, model, metric=None):
    r = res.records[res.records.model == model]
    return r if metric is None else r[r.metric == metric]


def test_openmmlab_records_and_ids(mm):
    r = _rec(mm, "mmdet/faster-rcnn_r50_fpn_1x_coco")
    assert r[["dataset", "task", "metric", "score"]].values.tolist() == [["COCO", "object-detection", "box AP", 37.4]]
    lvis = _rec(mm, "mmdet/faster-rcnn_r50_fpn_1x_lvis")  # Results given as one dict, not a list
    assert lvis.metric.tolist() == ["box AP"] and set(lvis.task) == {"instance-segmentation"}


def test_openmmlab_drops(mm):
    d = mm.report.dropped
    assert d["nan"] == 1             # mask AP: null
    assert d["non_numeric"] == 1     # "72.31/90.40/89.50"
    assert d["duplicate"] == 1       # the same entry twice in one metafile
    assert d["excluded"] == 2        # per-keypoint "Head" + the '# HRNet backbone' artefact
    assert mm.report.rows_read == 1 + 3 + 1 + 3 + 2 + 1 + 2


def test_openmmlab_metrics_subsets_tasks(mm):
    pose = _rec(mm, "mmpose/td-hm_hrnet-w32_8xb64-210e_mpii-256x256")
    assert set(pose.task) == {"pose-estimation"}
    assert set(pose.metric) == {"pck-mean", "pck-mean@0.1", "EPE", "normalized-mean-error"}
    assert pose[pose.metric == "normalized-mean-error"].subset.tolist() == ["full"]
    seg = _rec(mm, "mmsegmentation/ocrnet_hr18_4xb2-40k_cityscapes-512x1024")
    assert sorted(zip(seg.metric, seg.subset)) == [("mIoU", ""), ("mIoU", "ms+flip")]
    assert _rec(mm, "mmsegmentation/ocrnet_hr18s_4xb2-40k_cityscapes-512x1024").empty


def test_openmmlab_metadata_inherited_from_collection(mm):
    m = mm.models.set_index("model")
    assert "mmdet/faster-rcnn_no_results" in m.index           # candidate without records
    coco = m.loc["mmdet/faster-rcnn_r50_fpn_1x_coco"]
    assert coco["params_b"] == pytest.approx(0.0415)
    assert coco["family"] == "faster-r-cnn"
    assert "Training data: COCO." in coco["description"] and "ResNet" in coco["description"]
    lvis = m.loc["mmdet/faster-rcnn_r50_fpn_1x_lvis"]
    assert "Training data: LVIS v1." in lvis["description"]    # own Metadata overrides the collection
    assert "ResNet" in lvis["description"]                      # ... and inherits the rest
    assert lvis["params_b"] == pytest.approx(0.041812345)
    assert set(m["modality"]) == {"vision"}
    assert m.loc["mmsegmentation/ocrnet_hr18_4xb2-40k_cityscapes-512x1024", "description"].startswith("Training data: Cityscapes")


def test_helpers():
    assert parse_param_count("11.4M") == pytest.approx(0.0114)
    assert parse_param_count("0.46B") == pytest.approx(0.46)
    assert parse_param_count(0) is None and parse_param_count("?") is None and parse_param_count(-1) is None
    assert canonical_task("Face 2D Keypoint") == "pose-estimation"
    assert canonical_task("Action Recognition") == "video-classification"
    assert canonical_task("Oriented Object Detection") == "rotated-object-detection"
    assert canonical_task("Text Recognition") == "text-recognition"
    assert split_metric("Elb") is None and split_metric("MPJPE") == ("mean-per-joint-position-error", "")
    assert dataset_family("COCO-Stuff 164k") == "COCO-Stuff" and dataset_family("AP-10K") == "AP-10K"
    assert dataset_family("Kinetics-400") == "Kinetics" and dataset_family("S3DIS Area5") == "S3DIS"


def test_mixed_scales_split_by_package():
    from modellens_core.build.ingest.model_index import _split_mixed_scales
    recs = [{"model": "mmpose/a", "dataset": "COCO", "subset": "", "task": "pose-estimation", "metric": "AP", "score": 0.75},
            {"model": "mmyolo/b", "dataset": "COCO", "subset": "", "task": "pose-estimation", "metric": "AP", "score": 71.1}]
    _split_mixed_scales(recs)
    assert [r["subset"] for r in recs] == ["mmpose", "mmyolo"]


def test_hf_card_model_index_parsed_by_shared_function():
    import yaml
    text = (CARDS / "acme__tiny-llm" / "README.md").read_text()
    meta = yaml.safe_load(text.split("---")[1])
    rep = DropReport()
    recs = parse_model_index(meta["model-index"], rep, lambda e: "acme/tiny-llm", subset_tag="hub-card")
    assert [(r["dataset"], r["subset"], r["metric"], r["score"]) for r in recs] == [
        ("AI2 Reasoning Challenge (25-Shot)", "hub-card/ARC-Challenge/test/25-shot", "acc_norm", 61.3),
        ("GSM8k (5-shot)", "hub-card/main/test/5-shot", "acc", 45.2)]
    assert {r["task"] for r in recs} == {"text-generation"}
    assert rep.rows_read == 3 and rep.dropped["nan"] == 1


def test_ingest_hub_local_append_dedupe_and_load(tmp_path):
    out = tmp_path / "hub_cards"
    n = ingest_hub(["acme/tiny-llm", "acme/tiny-asr"], out, local_dir=CARDS)  # both folder layouts
    assert n == 3
    lines = [json.loads(x) for x in (out / FILE).read_text().splitlines()]
    assert len(lines) == 3 and {x["model"] for x in lines} == {"acme/tiny-llm", "acme/tiny-asr"}
    assert ingest_hub(["acme/tiny-llm"], out, local_dir=CARDS) == 0          # nothing new
    assert len((out / FILE).read_text().splitlines()) == 3
    res = load_hub_cards(out)
    assert res.source == "hub_cards" and len(res.records) == 3
    asr = res.records[res.records.model == "acme/tiny-asr"].iloc[0]
    assert (asr.metric, asr.score, asr.task) == ("wer", 5.4, "automatic-speech-recognition")
    m = res.models.set_index("model")
    assert m.loc["acme/tiny-llm", "license"] == "apache-2.0" and m.loc["acme/tiny-llm", "base_model"] == "acme/tiny-base"
    assert m.loc["acme/tiny-asr", "modality"] == "speech" and m.loc["acme/tiny-llm", "organization"] == "acme"
    assert m.loc["acme/tiny-llm", "description"].startswith("Tiny LLM is a small")
    assert res.datasets.set_index("dataset").loc["AI2 Reasoning Challenge (25-Shot)", "languages"] == "en"


def test_load_hub_cards_last_line_wins(tmp_path):
    rec = {"model": "a/b", "dataset": "D", "subset": "hub-card", "task": "text-generation", "metric": "acc", "score": 1.0}
    (tmp_path / FILE).write_text(json.dumps(rec) + "\n" + json.dumps({**rec, "score": 2.0}) + "\nnot json\n")
    res = load_hub_cards(tmp_path)
    assert res.records.score.tolist() == [2.0]
    assert res.report.dropped["duplicate"] == 1 and res.report.dropped["unparseable_file"] == 1


def test_missing_local_card_names_repo(tmp_path):
    with pytest.raises(HubCardError, match="acme/missing"):
        ingest_hub(["acme/missing"], tmp_path, local_dir=CARDS)


def test_network_path_offline_fails_fast_naming_repo(tmp_path):
    code = ("import sys\nfrom modellens_core.build.ingest.hub_cards import cli_ingest_hub\n"
            f"sys.exit(cli_ingest_hub(['nobody-here/no-such-model', '--out', {str(tmp_path)!r}]))")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert time.monotonic() - t0 < 15
    assert p.returncode == 1
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and "nobody-here/no-such-model" in err[0] and err[0].startswith("error:")
    assert not (tmp_path / FILE).exists() or (tmp_path / FILE).read_text() == ""


def test_cli_local(tmp_path, capsys):
    assert cli_ingest_hub(["acme/tiny-asr", "--local-dir", str(CARDS), "--out", str(tmp_path)]) == 0
    assert "appended 1 records" in capsys.readouterr().out
