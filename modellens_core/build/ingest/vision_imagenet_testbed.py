"""Adapter for the ImageNet robustness testbed (``imagenet_testbed``, Taori et al. 2020): top-1
accuracy (%) of 338 models on 213 settings, model names kept bare (``resnet50``).

Reads ``robustness_top1s.csv`` (one column per setting, mapped by :func:`parse_testbed_column`)
and ``model_types.csv`` (training kind, for the description). Traps: ImageNet-C settings come
twice, in-memory (kept) and on-disk (a duplicate, except glass_blur which exists only on disk);
imagenetv2 ``-format-val`` copies are duplicates; ``val-on-*-classes`` and class-subsampled
settings are baselines (``excluded``), and so are the 4 non-neural models; ``pgd.*`` settings are
ImageNet under attack (task adversarial-robustness), ``greyscale`` an ImageNet subset.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import pandas as pd

from .base import DropReport, SourceResult, read_file, require_dir
from .table_spec import TableSpec
from .vision_helpers import (EXCLUDED, IMAGENET_NAMES, arch_family, datasets_frame, drop_rows, finish_records,
                             join_desc, labelled, models_frame, read_specs, source_result)

_TESTBED_EXCLUDED_MODELS = re.compile(r"^(identity32_.*|resnet50_lstsq)$")  # non-neural baselines
_TESTBED_TYPES = {
    "STANDARD": "standard ImageNet training", "ROBUST_INTV": "robustness intervention",
    "MORE_DATA": "trained with more data", "LP_ADV": "lp-adversarially trained",
    "LOW_ACCURACY_CNN": "low-accuracy CNN",
}
_IMC = re.compile(r"^imagenet-c\.(\w+)\.(\d)_(in-memory|on-disk)$")
_V2 = {"imagenetv2-matched-frequency": "matched-frequency", "imagenetv2-threshold0.7": "threshold-0.7",
       "imagenetv2-threshold-0.7": "threshold-0.7", "imagenetv2-topimages": "top-images",
       "imagenetv2-top-images": "top-images"}


def parse_testbed_column(col: str) -> Optional[tuple[tuple[str, str, str], bool]]:
    """Testbed setting -> ((dataset, subset, task), is_primary). Secondary columns (imagenet-c
    ``on-disk``, imagenetv2 ``-format-val``) are read after the primaries, so they count as
    duplicates where a primary exists (glass_blur exists only on-disk and is kept)."""
    if col.startswith("val-on-") or "subsampled_class" in col:
        return (EXCLUDED, "", "image-classification"), True   # class-restricted val baselines
    if (m := _IMC.match(col)):
        return (f"imagenet-c-{m[1].replace('_', '-')}", f"severity-{m[2]}", "image-classification"), \
            m[3] == "in-memory"
    if col.startswith("imagenetv2"):
        base = col.removesuffix("-format-val")
        return ("ImageNetV2", _V2.get(base, base.removeprefix("imagenetv2-")), "image-classification"), \
            base == col
    if col.startswith("pgd."):
        _, norm, eps = col.split(".", 2)
        return ("ImageNet", f"pgd-{norm}-{eps}", "adversarial-robustness"), True
    if (m := re.match(r"^(imagenet-vid-robust|ytbb-robust)_(pm\d+)$", col)):
        return ({"imagenet-vid-robust": "ImageNet-Vid-Robust", "ytbb-robust": "YTBB-Robust"}[m[1]], m[2],
                "image-classification"), True
    if col == "greyscale":
        return ("ImageNet", "greyscale", "image-classification"), True
    return (IMAGENET_NAMES.get(col, col), "", "image-classification"), True


def _testbed_spec(primary: bool, task: str) -> TableSpec:
    def parse(col: str):
        parsed = parse_testbed_column(col)
        if parsed is None or parsed[1] != primary or parsed[0][2] != task:
            return None
        return (parsed[0][0], parsed[0][1], "top1")
    return TableSpec(file="robustness_top1s.csv", model_cols=("model",), metric="top1", task=task,
                     column_parser=parse)


TESTBED_SPECS = [_testbed_spec(p, t) for p in (True, False)
                 for t in ("image-classification", "adversarial-robustness")]


def load_imagenet_testbed(source_dir: Path) -> SourceResult:
    """ImageNet robustness testbed (Taori et al. 2020): top-1 accuracy (%) of 338 models on 213
    settings. Model names are kept bare (``resnet50``). ImageNet-C: dataset
    ``imagenet-c-<corruption>``, subset ``severity-<n>`` (in-memory kept, on-disk a duplicate);
    imagenetv2 ``-format-val`` copies are duplicates; ``val-on-*-classes`` and class-subsampled
    settings are baselines (``excluded``); so are the 4 non-neural models. ``pgd.*`` are
    ImageNet under attack (task adversarial-robustness), ``greyscale`` an ImageNet subset."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    rec = read_specs(source_dir, TESTBED_SPECS, report)
    rec = drop_rows(rec, rec["model"].astype(str).str.match(_TESTBED_EXCLUDED_MODELS.pattern), "excluded",
                    report, "non-neural testbed baselines")
    rec = finish_records(rec, report)
    types = read_file(source_dir / "model_types.csv", pd.read_csv, report)
    kinds = {} if types is None else dict(zip(types["model"], types["model_type"]))
    ids = pd.Series(sorted(rec["model"].unique()))
    meta = pd.DataFrame({
        "model": ids, "family": ids.map(arch_family),
        "description": [join_desc(f"ImageNet classifier {m} from the robustness testbed",
                                  labelled("type", _TESTBED_TYPES.get(kinds.get(m), kinds.get(m))))
                        for m in ids]})
    models = models_frame(rec, meta, modality="vision", pipeline_tag="image-classification")
    return source_result("imagenet_testbed", rec, models, datasets_frame(rec), report)
