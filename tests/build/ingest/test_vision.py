"""Tests of the vision / CLIP / robustness / ASR table adapters on tiny native-format fixtures.

Expected counts are worked out by hand from the fixture files under tests/fixtures/vision/.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from modellens_core.build.ingest.base import (DATASET_COLUMNS, MODEL_COLUMNS, RECORD_COLUMNS,
                                        SourceFileError)
from modellens_core.build.ingest.speech_open_asr import asr_family, load_open_asr
from modellens_core.build.ingest.vision_clip import clip_family, load_clip_benchmark, load_open_clip
from modellens_core.build.ingest.vision_helpers import arch_family, dataset_family
from modellens_core.build.ingest.vision_imagenet_testbed import load_imagenet_testbed, parse_testbed_column
from modellens_core.build.ingest.vision_robustbench import eps_subset, load_robustbench
from modellens_core.build.ingest.vision_timm import load_timm
from modellens_core.build.ingest.vision_torchvision import load_torchvision

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "vision"
KEY = ["model", "dataset", "subset", "task", "metric"]


def _check_contract(res, source: str) -> None:
    """Columns, one row per key, one model/dataset row per name, and the drop accounting."""
    assert list(res.records.columns) == RECORD_COLUMNS
    assert list(res.models.columns) == MODEL_COLUMNS
    assert list(res.datasets.columns) == DATASET_COLUMNS
    assert (res.records["source"] == source).all()
    assert not res.records.duplicated(KEY).any()
    assert set(res.records["model"]) <= set(res.models["model"])
    assert not res.models["model"].duplicated().any()
    assert set(res.datasets["dataset"]) == set(res.records["dataset"])
    dropped = sum(n for reason, n in res.report.dropped.items() if reason != "unparseable_file")
    assert res.report.rows_read == len(res.records) + dropped
    params = pd.to_numeric(res.models["params_b"], errors="coerce").dropna()
    assert (params > 0).all()


def _score(res, **key) -> float:
    rec = res.records
    mask = pd.Series(True, index=rec.index)
    for col, value in key.items():
        mask &= rec[col] == value
    assert mask.sum() == 1, (key, rec[mask])
    return float(rec.loc[mask, "score"].iloc[0])


def test_timm_default_resolution_kept_and_baselines_excluded():
    res = load_timm(FIX / "timm_results")
    _check_contract(res, "timm_results")
    assert len(res.records) == 7 and res.report.rows_read == 12
    assert dict(res.report.dropped) == {"unparseable_file": 5, "nan": 1, "excluded": 2, "duplicate": 2}
    # the 224 px row (the config's default input size) wins although the 288 px row comes first
    assert _score(res, model="timm/convnext_atto.d2_in1k", dataset="ImageNet", metric="top1") == 75.6
    assert set(res.records["dataset"]) == {"ImageNet", "ImageNet-A"}    # the -clean file is a baseline
    assert set(res.records["metric"]) == {"top1", "top5"}               # *_err / *_diff never read
    models = res.models.set_index("model")
    assert len(models) == 3                                             # resnet50: a candidate
    assert models.loc["timm/eva_giant_patch14_560.m30m_ft_in22k_in1k", "params_b"] == pytest.approx(1.01445)
    assert models.loc["timm/convnext_atto.d2_in1k", "params_b"] == pytest.approx(0.0037)
    assert pd.isna(models.loc["timm/resnet50.a1_in1k", "params_b"])
    assert models.loc["timm/convnext_atto.d2_in1k", "family"] == "convnext"
    assert models.loc["timm/eva_giant_patch14_560.m30m_ft_in22k_in1k", "license"] == "mit"
    desc = models.loc["timm/convnext_atto.d2_in1k", "description"]
    assert "timm/convnext_atto.d2_in1k" in desc and "in1k" in desc
    assert any("results-sketch.csv" in n for n in res.report.notes)


def test_torchvision_tasks_directions_and_params():
    res = load_torchvision(FIX / "torchvision_weights")
    _check_contract(res, "torchvision_weights")
    assert len(res.records) == 9 and dict(res.report.dropped) == {"nan": 2}
    rec = res.records.set_index(["model", "metric"])
    raft = "torchvision/Raft_Large_Weights.C_T_V2"
    assert rec.loc[(raft, "fl_all"), "higher_is_better"] is False
    assert rec.loc[(raft, "epe"), "dataset"] == "Sintel" and rec.loc[(raft, "epe"), "subset"] == "train-clean"
    assert rec.loc[(raft, "epe"), "task"] == "optical-flow"
    kp = "torchvision/KeypointRCNN_ResNet50_FPN_Weights.COCO_V1"
    assert rec.loc[(kp, "box_map"), "subset"] == "val2017-person"      # person-only COCO AP
    assert rec.loc[(kp, "kp_map"), "task"] == "pose-estimation"
    quant = "torchvision/ResNet50_QuantizedWeights.IMAGENET1K_FBGEMM_V2"
    assert rec.loc[(quant, "acc@1"), "task"] == "image-classification"
    assert rec.loc[(quant, "acc@1"), "dataset"] == "ImageNet"
    assert rec.loc[("torchvision/ResNet50_Weights.IMAGENET1K_V2", "acc@1"), "higher_is_better"] is None
    models = res.models.set_index("model")
    assert len(models) == 5                                             # the NaN-only VGG features too
    assert models.loc["torchvision/ResNet50_Weights.IMAGENET1K_V2", "params_b"] == pytest.approx(0.025557032)
    assert models.loc[quant, "family"] == "resnet"


def test_open_clip_aggregates_duplicates_and_multilingual():
    res = load_open_clip(FIX / "open_clip")
    _check_contract(res, "open_clip")
    assert len(res.records) == 14 and res.report.rows_read == 38
    assert dict(res.report.dropped) == {"aggregate_column": 16, "duplicate": 5, "nan": 2, "non_numeric": 1}
    vit = "open_clip/ViT-B-32/openai"
    assert _score(res, model=vit, dataset="ImageNet", subset="datacomp", metric="acc1") == pytest.approx(0.6332)
    # DataComp reports Caltech-101 as mean per-class recall
    assert _score(res, model=vit, dataset="vtab/caltech101", metric="mean_per_class_recall") == 0.8
    assert _score(res, model=vit, dataset="flickr30k", metric="text_retrieval_recall@1") == 0.8
    assert _score(res, model=vit, dataset="WinoGAViL", subset="10-12", task="image-text-retrieval") == 0.41
    assert "Flickr" not in set(res.records["dataset"]) and "MSCOCO" not in set(res.records["dataset"])
    assert _score(res, model="open_clip/nllb-clip-base/v1", dataset="crossmodal3600", subset="de") == 0.44
    assert _score(res, dataset="multilingual_mscoco_captions", subset="fr") == 0.7
    models = res.models.set_index("model")
    assert len(models) == 4                                             # + the candidate ViT-B-16
    assert models.loc[vit, "params_b"] == pytest.approx(0.15128)
    assert models.loc["open_clip/nllb-clip-base/v1", "params_b"] == pytest.approx(0.50189)
    assert models.loc["open_clip/RN50/openai", "family"] == "clip-resnet"
    assert models.loc[vit, "modality"] == "multimodal"
    assert "timm/vit_base_patch32_clip_224.openai" in models.loc[vit, "description"]
    datasets = res.datasets.set_index("dataset")
    assert datasets.loc["multilingual_mscoco_captions", "family"] == "mscoco-captions"
    assert datasets.loc["crossmodal3600", "languages"] == "de"


def test_clip_benchmark_ids_probes_and_aggregates():
    res = load_clip_benchmark(FIX / "clip_benchmark")
    _check_contract(res, "clip_benchmark")
    assert len(res.records) == 13 and res.report.rows_read == 48
    assert dict(res.report.dropped) == {"nan": 19, "aggregate_column": 5, "excluded": 8, "duplicate": 3}
    assert "vtab" not in set(res.records["dataset"])
    # same id form as open_clip; the linear probe uses model_short (the real quickgelu arch)
    probe = res.records[res.records["task"] == "linear-probe-classification"].set_index("dataset")
    assert probe.loc["vtab/svhn", "model"] == "open_clip/ViT-B-32-quickgelu/laion400m_e32"
    assert probe.loc["vtab/svhn", "subset"] == "10-shot"
    assert probe.loc["vtab/svhn", "score"] == pytest.approx(0.64)       # best of the 9 lr x epochs runs
    assert probe.loc["ImageNet", "subset"] == "full"
    assert _score(res, dataset="flickr8k", metric="image_retrieval_recall@5") == 0.53
    assert res.records.loc[res.records["dataset"] == "flickr8k", "subset"].unique().tolist() == ["probe-table"]
    assert _score(res, dataset="voc2007_multilabel", metric="mean_average_precision") == 0.79
    scaling = "open_clip/ViT-B-32/Model-B-32_Data-80M_Samples-3B_lr-5e-4_bs-32k.pt"
    assert _score(res, model=scaling, dataset="cifar10", metric="acc1") == 0.7
    models = res.models.set_index("model")
    assert models.loc[scaling, "open_weights"] == False  # noqa: E712 - NA-aware frame value
    assert models.loc["open_clip/ViT-B-32/openai", "params_b"] == pytest.approx(0.15128)
    assert res.datasets.set_index("dataset").loc["vtab/svhn", "family"] == "svhn"


def test_imagenet_testbed_duplicates_baselines_and_corruptions():
    res = load_imagenet_testbed(FIX / "imagenet_testbed")
    _check_contract(res, "imagenet_testbed")
    assert len(res.records) == 10 and res.report.rows_read == 30
    assert dict(res.report.dropped) == {"nan": 7, "excluded": 9, "duplicate": 4}
    assert set(res.records["model"]) == {"resnet50", "vit_large_patch16_384"}
    assert _score(res, model="resnet50", dataset="imagenet-c-fog", subset="severity-1") == 60.1  # in-memory
    assert _score(res, model="resnet50", dataset="imagenet-c-glass-blur") == 50.0   # only on-disk exists
    assert _score(res, model="resnet50", dataset="ImageNetV2", subset="matched-frequency") == 63.2
    assert _score(res, model="resnet50", dataset="ImageNet", subset="pgd-linf-eps2",
                  task="adversarial-robustness") == 1.5
    assert _score(res, model="resnet50", dataset="ImageNet", subset="") == 76.1
    datasets = res.datasets.set_index("dataset")
    assert datasets.loc["imagenet-c-fog", "family"] == "imagenet-c"
    assert datasets.loc["ImageNet", "task"] == "image-classification"
    desc = res.models.set_index("model").loc["vit_large_patch16_384", "description"]
    assert "more data" in desc


def test_robustbench_keys_eps_flags_and_corruptions():
    res = load_robustbench(FIX / "robustbench")
    _check_contract(res, "robustbench")
    assert len(res.records) == 13 and res.report.rows_read == 35
    assert dict(res.report.dropped) == {"nan": 19, "excluded": 2, "flagged": 1, "unparseable_file": 3}
    a = "robustbench/A2020Robust"
    assert _score(res, model=a, metric="robust_accuracy") == 60.0
    assert res.records.loc[res.records["model"] == a, "subset"].unique().tolist() == ["Linf-8/255"]
    # dataset from dataset_dir (the JSON dataset field says cifar10); robust acc flagged
    shaky = res.records[res.records["model"] == "robustbench/B2021Shaky"]
    assert shaky[["dataset", "metric"]].values.tolist() == [["cifar100", "clean_accuracy"]]
    mce = res.records[res.records["metric"] == "mce"]
    assert mce["higher_is_better"].tolist() == [False] and mce["dataset"].tolist() == ["ImageNet"]
    # unaggregated corruption file: underscore-less name matched back to the model_info id
    aug = res.records[res.records["dataset"] == "cifar10-c-brightness"]
    assert set(aug["model"]) == {"robustbench/Hendrycks2020AugMix_WRN"}
    assert sorted(aug["subset"]) == ["severity-1", "severity-2"]
    assert res.datasets.set_index("dataset").loc["cifar10-c-fog", "family"] == "cifar10-c"
    assert (res.records["task"] == "adversarial-robustness").all()


def test_open_asr_wer_direction_sizes_and_licenses():
    res = load_open_asr(FIX / "open_asr_leaderboard")
    _check_contract(res, "open_asr_leaderboard")
    assert len(res.records) == 26 and res.report.rows_read == 34
    assert dict(res.report.dropped) == {"aggregate_column": 7, "nan": 1}
    assert (res.records["higher_is_better"] == False).all()  # noqa: E712 - WER: lower is better
    assert (res.records["metric"] == "wer").all()
    w = "openai/whisper-large-v3"
    assert _score(res, model=w, dataset="LibriSpeech", subset="test-other") == 3.91
    assert _score(res, model=w, dataset="Earnings-22", subset="") == 11.29
    assert _score(res, model=w, dataset="Earnings-22", subset="longform") == 11.0
    assert _score(res, model=w, dataset="CORAAL", subset="longform") == 20.1
    assert _score(res, model=w, dataset="MLS", subset="fr") == 6.0
    assert "RTFx" not in set(res.records["dataset"])
    models = res.models.set_index("model")
    assert models.loc[w, "params_b"] == 1.55 and models.loc[w, "open_weights"] == True  # noqa: E712
    assert pd.isna(models.loc["zoom/scribe_v1", "params_b"])             # -1 means unknown
    assert models.loc["zoom/scribe_v1", "open_weights"] == False         # noqa: E712 - Proprietary
    assert pd.isna(models.loc["assembly/best", "open_weights"])
    assert models.loc[w, "family"] == "whisper" and models.loc[w, "modality"] == "speech"
    assert res.datasets.set_index("dataset").loc["MLS", "languages"] == "fr"


def test_missing_folder_raises_named_error(tmp_path):
    with pytest.raises(SourceFileError, match="nowhere"):
        load_timm(tmp_path / "nowhere")


@pytest.mark.parametrize("name,family", [
    ("resnet50.a1_in1k", "resnet"), ("swinv2_base_window8", "swin"), ("wide_resnet50_2", "wide-resnet"),
    ("WideResNet-34-10", "wide-resnet"), ("quantized_mobilenet_v3_large", "mobilenet"),
    ("BiT-M-R50x1-ILSVRC2012", "bit"), ("FixResNeXt101_32x48d_v2", "resnext"), ("r3d_18", "r3d"),
    ("tf_efficientnet_b0", "efficientnet"), ("dm_nfnet_f0", "nfnet"), ("res2net50_26w_4s", "res2net")])
def test_arch_family(name, family):
    assert arch_family(name) == family


def test_small_helpers():
    assert clip_family("ViT-SO400M-14-SigLIP-384") == "siglip"
    assert clip_family("convnext_base_w") == "clip-convnext" and clip_family("coca_ViT-L-14") == "coca"
    assert asr_family("distil-whisper/distil-large-v3") == "whisper"
    assert asr_family("CohereLabs/cohere-transcribe-03-2026") == "cohere"
    assert eps_subset("Linf", "0.031") == "Linf-8/255" == eps_subset("Linf", "8/255")
    assert eps_subset("L2", "0.5") == "L2-0.5" and eps_subset("corruptions", "8/255") == "corruptions"
    assert dataset_family("vtab/cifar100") == "cifar100" and dataset_family("ImageNet-ReaL") == "imagenet"
    assert parse_testbed_column("imagenet-c.snow.3_on-disk") == (("imagenet-c-snow", "severity-3",
                                                             "image-classification"), False)
    assert parse_testbed_column("val-on-objectnet-classes")[0][0] == "__excluded__"


@pytest.mark.parametrize("loader", [load_timm, load_torchvision, load_open_clip, load_clip_benchmark,
                                    load_imagenet_testbed, load_robustbench, load_open_asr])
def test_empty_folder_counts_missing_files(loader, tmp_path):
    res = loader(tmp_path)
    assert len(res.records) == 0 and res.report.rows_read == 0
    assert res.report.dropped["unparseable_file"] >= 1
    assert any(str(tmp_path) in note for note in res.report.notes)
