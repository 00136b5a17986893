"""Adapter for the torchvision weights metadata (``torchvision_weights``): the scores stated in
each weights enum's ``Weights.meta``, one model per enum (``torchvision/<Enum>.<NAME>``).

Reads ``weights_meta.jsonl`` (flattened to a long frame). acc@1/5, miou and pixel_acc are in %;
box/mask/kp mAP are COCO AP x100. Traps: ``epe``/``per_image_epe``/``fl_all`` (optical flow) are
lower is better, as the source states; Keypoint R-CNN scores are on COCO persons only (subset
``val2017-person``); the task comes from the weights module, except mask and keypoint mAP
(instance segmentation, pose estimation); every weights enum is a candidate model.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, read_file, require_dir
from .vision_helpers import (REC_COLS, arch_family, datasets_frame, finish_records, join_desc, labelled,
                             long_frame_records, models_frame, source_result)

_TV_TASK = {"classification": "image-classification", "quantization": "image-classification",
            "detection": "object-detection", "segmentation": "semantic-segmentation",
            "video": "video-classification", "optical_flow": "optical-flow"}
_TV_METRIC_TASK = {"mask_map": "instance-segmentation", "kp_map": "pose-estimation"}
_TV_DATASETS = {  # torchvision label -> (dataset, subset)
    "ImageNet-1K": ("ImageNet", ""), "COCO-val2017": ("COCO", "val2017"),
    "COCO-val2017-VOC-labels": ("COCO", "val2017-voc-labels"), "Kinetics-400": ("Kinetics-400", ""),
    "Sintel-Train-Cleanpass": ("Sintel", "train-clean"), "Sintel-Train-Finalpass": ("Sintel", "train-final"),
    "Sintel-Test-Cleanpass": ("Sintel", "test-clean"), "Sintel-Test-Finalpass": ("Sintel", "test-final"),
    "Kitti-Train": ("KITTI-2015", "train"), "Kitti-Test": ("KITTI-2015", "test"),
}
_TV_LOWER = {"epe", "per_image_epe", "fl_all"}  # stated lower-is-better by the source


def load_torchvision(source_dir: Path) -> SourceResult:
    """torchvision ``Weights.meta``: one model per weights enum (``torchvision/<Enum>.<NAME>``).

    acc@1/5, miou, pixel_acc in %; box/mask/kp mAP are COCO AP x100; ``epe``/``fl_all`` lower is
    better. Keypoint R-CNN scores are on COCO persons only: subset ``val2017-person``.
    """
    source_dir = require_dir(source_dir)
    report = DropReport()
    meta = read_file(source_dir / "weights_meta.jsonl", _read_jsonl, report) or []
    rows = []
    for r in meta:
        metrics = r.get("_metrics") or {}
        person = any("kp_map" in m for m in metrics.values())
        for label, values in metrics.items():
            dataset, subset = _TV_DATASETS.get(label, (label, ""))
            if person:
                subset = f"{subset}-person"
            for metric, v in values.items():
                rows.append({"model": f"torchvision/{r['weights']}", "dataset": dataset, "subset": subset,
                             "task": _TV_METRIC_TASK.get(metric, _TV_TASK.get(r.get("module"), "image-classification")),
                             "metric": metric, "score": v,
                             "higher_is_better": False if metric in _TV_LOWER else None})
    rec = finish_records(long_frame_records(pd.DataFrame(rows, columns=REC_COLS), report), report)
    info = pd.DataFrame([{
        "model": f"torchvision/{r['weights']}",
        "params_b": r["num_params"] / 1e9 if r.get("num_params") else pd.NA,
        "family": arch_family(r.get("model", "")),
        "license": r.get("license") or "BSD-3-Clause",
        "pipeline_tag": _TV_TASK.get(r.get("module"), "image-classification"),
        "description": join_desc(f"torchvision {r.get('module')} weights {r['weights']} for builder {r.get('model')}",
                                 labelled("GFLOPS", r.get("_ops")), labelled("file size MB", r.get("_file_size")),
                                 labelled("training recipe", r.get("recipe"))),
    } for r in meta])
    models = models_frame(rec, info, candidates=True, modality="vision", open_weights=True)
    return source_result("torchvision_weights", rec, models, datasets_frame(rec), report)


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
