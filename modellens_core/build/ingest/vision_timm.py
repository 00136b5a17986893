"""Adapter for the timm ImageNet results (``timm_results``): top-1 / top-5 accuracy (%) of every
timm checkpoint on ImageNet and its variant test sets, model ``timm/<arch>.<tag>``.

Reads ``results-*.csv`` (one per test set), ``timm_pretrained_cfgs.jsonl`` (default input size,
license, paper, Hub id) and ``model_metadata-in1k.csv`` (pretraining data). Traps: a name
evaluated at two ``img_size`` values keeps the row at its pretrained config's default
``input_size`` and the other resolution counts as ``duplicate``; the ``*-clean`` files are
baselines on the 200 A/R classes (``excluded``); ``*_err``/``*_diff`` columns are derived (not
read); every pretrained config is a candidate model, with or without results.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .base import DropReport, SourceResult, read_file, require_dir
from .table_spec import TableSpec
from .vision_helpers import (EXCLUDED, arch_family, datasets_frame, finish_records, join_desc, labelled,
                             models_frame, params_b_from_millions, read_specs, source_result)

_TIMM_SETS = {  # results-<set>.csv -> (dataset, subset)
    "imagenet": ("ImageNet", ""), "imagenet-real": ("ImageNet-ReaL", ""),
    "imagenetv2-matched-frequency": ("ImageNetV2", "matched-frequency"),
    "sketch": ("ImageNet-Sketch", ""), "imagenet-a": ("ImageNet-A", ""), "imagenet-r": ("ImageNet-R", ""),
}
_TIMM_BASELINES = ("imagenet-a-clean", "imagenet-r-clean")  # val on the 200 A/R classes


def _timm_spec(set_name: str, dataset: str, subset: str) -> TableSpec:
    # model and img_size are packed as "<name>@<img_size>" and unpacked in load_timm.
    return TableSpec(file=f"results-{set_name}.csv", model_cols=("model", "img_size"), model_join="@",
                     metric="top1", task="image-classification", dataset_cols=("top1", "top5"),
                     column_parser=lambda col: (dataset, subset, col))


TIMM_SPECS = [_timm_spec(s, *ds) for s, ds in _TIMM_SETS.items()] + \
             [_timm_spec(s, EXCLUDED, "") for s in _TIMM_BASELINES]


def load_timm(source_dir: Path) -> SourceResult:
    """timm ``results-*.csv``: top-1 / top-5 accuracy (%), model ``timm/<arch>.<tag>``.

    A name evaluated at two ``img_size`` values keeps the row at its pretrained config's default
    ``input_size`` (one score per checkpoint); the other resolution counts as ``duplicate``.
    ``*-clean`` files are baselines (``excluded``); ``*_err``/``*_diff`` are derived (not read).
    """
    source_dir = require_dir(source_dir)
    report = DropReport()
    rec = read_specs(source_dir, TIMM_SPECS, report)
    cfg = _timm_cfgs(source_dir, report)
    name_res = rec["model"].str.rsplit("@", n=1, expand=True).reindex(columns=[0, 1])
    rec["model"] = name_res[0].astype(str)
    default = rec["model"].map(cfg["default_res"]) if len(cfg) else pd.Series(np.nan, index=rec.index)
    is_default = pd.to_numeric(name_res[1], errors="coerce").eq(default)
    # default resolution first, then file order: the first copy of a key is kept
    rec = rec.assign(_o=~is_default).sort_values("_o", kind="stable").drop(columns="_o")
    rec = finish_records(rec.reset_index(drop=True), report)
    rec["model"] = "timm/" + rec["model"]
    models = _timm_models(source_dir, rec, cfg, report)
    return source_result("timm_results", rec, models, datasets_frame(rec), report)


def _timm_cfgs(source_dir: Path, report: DropReport) -> pd.DataFrame:
    cfg = read_file(source_dir / "timm_pretrained_cfgs.jsonl", pd.read_json, report, lines=True)
    if cfg is None:
        return pd.DataFrame()
    cfg = cfg.set_index("name")
    cfg["default_res"] = cfg["input_size"].map(lambda s: s[-1] if isinstance(s, list) else np.nan)
    return cfg


def _timm_models(source_dir: Path, rec: pd.DataFrame, cfg: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    # every pretrained config is a candidate, with or without results
    names = pd.Series(sorted(set(rec["model"].str.removeprefix("timm/")) | set(cfg.index)))
    sizes = []
    for spec in TIMM_SPECS:   # param_count (millions) from the result tables
        df = read_file(source_dir / spec.file, pd.read_csv, DropReport())   # already counted once
        if df is not None:
            sizes.append(df[["model", "param_count"]])
    params = pd.concat(sizes).drop_duplicates("model").set_index("model")["param_count"] \
        if sizes else pd.Series(dtype=object)
    pretrain = read_file(source_dir / "model_metadata-in1k.csv", pd.read_csv, report)
    pretrain = pretrain.set_index("model")["pretrain"] if pretrain is not None else pd.Series(dtype=object)
    meta = pd.DataFrame({"name": names.unique()})
    meta["model"] = "timm/" + meta["name"]
    meta["params_b"] = params_b_from_millions(meta["name"].map(params)).to_numpy()
    arch = meta["name"].str.split(".").str[0]
    meta["family"] = arch.map(arch_family)
    c = cfg.reindex(meta["name"]) if len(cfg) else pd.DataFrame(index=meta["name"])
    meta["license"] = c.get("license", pd.Series(index=c.index, dtype=object)).to_numpy()
    meta["description"] = [
        join_desc(f"timm image model {a}, pretrained tag '{n.split('.', 1)[-1]}'",
                  labelled("pretraining data", pretrain.get(a)),
                  labelled("paper", _get(c, n, "paper_name")),
                  labelled("Hugging Face Hub", _get(c, n, "hf_hub_id")))
        for n, a in zip(meta["name"], arch)]
    return models_frame(rec, meta.drop(columns="name"), candidates=True, modality="vision",
                        open_weights=True, pipeline_tag="image-classification")


def _get(frame: pd.DataFrame, row, col):
    if col not in frame.columns:
        return None
    v = frame.at[row, col]
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v
