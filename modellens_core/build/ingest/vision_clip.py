"""Adapters for the CLIP-style image-text models: OpenCLIP's own results (``open_clip``) and
LAION CLIP_benchmark (``clip_benchmark``); both name models ``open_clip/<arch>/<tag>``.

OpenCLIP: zero-shot classification on the 35 DataComp datasets (subset ``datacomp``; its values
differ slightly from CLIP_benchmark's own runs), retrieval R@1/5/10, WinoGAViL and multilingual
retrieval, 0-1. CLIP_benchmark: zero-shot classification and retrieval recall@5 (0-1) plus the
linear-probe scaling runs (JSON). Traps: the results file's ``Flickr``/``MSCOCO`` columns are the
mean of image and text R@1 (aggregates); the classification-only file repeats the results file
(every cell a duplicate); WinoGAViL is read from the retrieval file first; DataComp metrics other
than acc1 follow DataComp's tasklist (the CSV does not state them); ``vtab``/``vtab+``/
``imagenet_robustness`` are aggregates; probe-table rows repeating benchmark.csv are duplicates,
but its flickr8k differs (another split) and gets its own subset; linear probes keep the best run
of the lr x epochs sweep (the others are ``excluded``); unreleased scaling checkpoints keep their
file names as tag.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .base import DropReport, SourceResult, read_file, require_dir
from .table_spec import TableSpec
from .vision_helpers import (IMAGENET_NAMES, KEY, datasets_frame, drop_rows, finish_records, join_desc,
                             labelled, long_frame_records, models_frame, params_b_from_millions, read_specs,
                             record_frame, source_result)

# DataComp evaluation suite (open_clip's 38 columns): display name -> (CLIP_benchmark dataset id,
# main metric). Metrics other than acc1 follow DataComp's tasklist; the CSV does not state them.
_DATACOMP = {
    "ImageNet 1k": ("imagenet1k", "acc1"), "Caltech-101": ("vtab/caltech101", "mean_per_class_recall"),
    "CIFAR-10": ("cifar10", "acc1"), "CIFAR-100": ("vtab/cifar100", "acc1"),
    "CLEVR Counts": ("vtab/clevr_count_all", "acc1"),
    "CLEVR Distance": ("vtab/clevr_closest_object_distance", "acc1"), "Country211": ("country211", "acc1"),
    "Describable Textures": ("vtab/dtd", "acc1"), "EuroSAT": ("vtab/eurosat", "acc1"),
    "FGVC Aircraft": ("fgvc_aircraft", "mean_per_class_recall"), "Food-101": ("food101", "acc1"),
    "GTSRB": ("gtsrb", "acc1"), "ImageNet Sketch": ("imagenet_sketch", "acc1"),
    "ImageNet v2": ("imagenetv2", "acc1"), "ImageNet-A": ("imagenet-a", "acc1"),
    "ImageNet-O": ("imagenet-o", "acc1"), "ImageNet-R": ("imagenet-r", "acc1"),
    "KITTI Vehicle Distance": ("vtab/kitti_closest_vehicle_distance", "acc1"), "MNIST": ("mnist", "acc1"),
    "ObjectNet": ("objectnet", "acc1"), "Oxford Flowers-102": ("vtab/flowers", "mean_per_class_recall"),
    "Oxford-IIIT Pet": ("vtab/pets", "mean_per_class_recall"),
    "Pascal VOC 2007": ("voc2007", "mean_per_class_recall"), "PatchCamelyon": ("vtab/pcam", "acc1"),
    "Rendered SST2": ("renderedsst2", "acc1"), "RESISC45": ("vtab/resisc45", "acc1"),
    "Stanford Cars": ("cars", "acc1"), "STL-10": ("stl10", "acc1"), "SUN397": ("sun397", "acc1"),
    "SVHN": ("vtab/svhn", "acc1"), "iWildCam": ("iwildcam", "f1_macro"),
    "Camelyon17": ("camelyon17", "acc1"), "FMoW": ("fmow", "worst_region_accuracy"),
    "Dollar Street": ("dollar_street", "worst_group_top5_accuracy"), "GeoDE": ("geode", "worst_group_accuracy"),
    # WinoGAViL = the retrieval file's "jaccard score 10-12" (read there first: a duplicate here)
    "WinoGAViL": ("WinoGAViL", "jaccard"),
}
_DATACOMP_MEANS = ("Flickr", "MSCOCO")  # mean of image and text R@1 of the retrieval file
_RETRIEVAL_SETS = {"Flickr": "flickr30k", "MSCOCO": "mscoco_captions"}
OPEN_CLIP_PROTOCOL = "datacomp"  # its values differ slightly from CLIP_benchmark's own runs


def clip_dataset(name: str) -> str:
    """CLIP_benchmark / DataComp dataset id -> shared dataset name (ImageNet sets renamed)."""
    name = "vtab/svhn" if name == "vtab_svhn" else name
    return IMAGENET_NAMES.get(name, name)


def _open_clip_column(col: str):
    if col in _DATACOMP_MEANS:
        return (col, OPEN_CLIP_PROTOCOL, "mean_recall@1")   # counted as aggregate by read_table
    if col not in _DATACOMP:   # a new column: its own dataset (or an aggregate, see read_table)
        return (col, OPEN_CLIP_PROTOCOL, "acc1")
    dataset, metric = _DATACOMP[col]
    if dataset == "WinoGAViL":
        return ("WinoGAViL", "10-12", metric)
    return (clip_dataset(dataset), OPEN_CLIP_PROTOCOL, metric)


_RETR = re.compile(r"^(Flickr|MSCOCO) (image|text) retr\. R@(\d+)$")
_WINO = re.compile(r"^WinoGAViL jaccard score (\S+)$")


def _open_clip_retrieval_column(col: str):
    if (m := _RETR.match(col)):
        return (_RETRIEVAL_SETS[m[1]], OPEN_CLIP_PROTOCOL, f"{m[2]}_retrieval_recall@{m[3]}")
    if (m := _WINO.match(col)):
        return ("WinoGAViL", m[1], "jaccard")
    return (col, "", col)   # "Average score", "WinoGAViL avg jaccard score": aggregates


def _multilingual_column(col: str):
    parts = col.split(" ")
    if len(parts) != 3:
        return (col, "", col)   # "avg": an aggregate
    dataset, metric, lang = parts
    return (dataset, lang, metric)


_OC_META = ("params (M)", "FLOPs (B)")
_OC_COMMON = dict(model_cols=("name", "pretrained"), model_join="/", model_format="open_clip/{}",
                  metric="", ignore_cols=_OC_META)
OPEN_CLIP_SPECS = [
    TableSpec(file="openclip_retrieval_results.csv", task="image-text-retrieval",
              column_parser=_open_clip_retrieval_column, **_OC_COMMON),
    TableSpec(file="openclip_results.csv", task="zero-shot-image-classification",
              aggregate_cols=_DATACOMP_MEANS, column_parser=_open_clip_column, **_OC_COMMON),
    # the classification-only file repeats the same 35 values: every cell is a duplicate
    TableSpec(file="openclip_classification_results.csv", task="zero-shot-image-classification",
              column_parser=_open_clip_column, **_OC_COMMON),
    TableSpec(file="openclip_multilingual_retrieval_results.csv", task="image-text-retrieval",
              model_cols=("model", "version"), model_join="/", model_format="open_clip/{}", metric="",
              column_parser=_multilingual_column),
]


def load_open_clip(source_dir: Path) -> SourceResult:
    """OpenCLIP zero-shot results (0-1, higher is better), model ``open_clip/<arch>/<tag>``.

    Classification: 35 DataComp datasets (subset ``datacomp``), metric = DataComp main metric.
    Retrieval: image/text R@1/5/10 on flickr30k / mscoco_captions from the retrieval file; the
    results file's ``Flickr``/``MSCOCO`` columns are the mean of image and text R@1 (aggregate).
    WinoGAViL jaccard per candidate-set subset. Multilingual: dataset crossmodal3600 /
    multilingual_mscoco_captions, subset = language (``avg`` columns are aggregates).
    """
    source_dir = require_dir(source_dir)
    report = DropReport()
    rec = read_specs(source_dir, OPEN_CLIP_SPECS, report)
    rec["task"] = np.where(rec["dataset"].eq("WinoGAViL"), "image-text-retrieval", rec["task"])
    rec = finish_records(rec, report)
    models = _open_clip_models(source_dir, rec, report)
    langs = lambda name, g: ",".join(sorted(g["subset"].unique())) \
        if name in ("crossmodal3600", "multilingual_mscoco_captions") else "en"
    return source_result("open_clip", rec, models, datasets_frame(rec, languages=langs), report)


def clip_family(arch: str) -> str:
    """Family of an OpenCLIP architecture (``ViT-B-32`` -> ``clip-vit``, ``coca_ViT-L-14`` -> ``coca``)."""
    a = arch.lower()
    for key, fam in (("nllb-clip", "nllb-clip"), ("coca", "coca"), ("siglip", "siglip"), ("clipa", "clipa"),
                     ("mobileclip", "mobileclip"), ("pe-core", "perception-encoder"), ("eva", "eva-clip"),
                     ("convnext", "clip-convnext"), ("rn", "clip-resnet"), ("vit", "clip-vit")):
        if a.startswith(key) or (key in ("siglip", "clipa", "vit") and key in a):
            return fam
    return "clip"


def _open_clip_models(source_dir: Path, rec: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    plist = read_file(source_dir / "open_clip_pretrained_list.jsonl", pd.read_json, report, lines=True)
    hub = {} if plist is None else dict(zip(plist["arch"] + "/" + plist["tag"], plist["hf_hub"]))
    # every released (arch, tag) of the pretrained list is a candidate, with or without results
    ids = pd.Series(sorted(set(rec["model"]) | {f"open_clip/{k}" for k in hub}))
    arch = ids.str.split("/").str[1]
    tag = ids.str.split("/", n=2).str[2]
    table = read_file(source_dir / "openclip_results.csv", pd.read_csv, DropReport())  # counted once
    params = {} if table is None else dict(zip(table["name"] + "/" + table["pretrained"], table["params (M)"]))
    profile = read_file(source_dir / "model_profile.csv", pd.read_csv, report)
    arch_params = {} if profile is None else dict(zip(profile["model"], profile["mparams"]))
    key = arch + "/" + tag
    millions = [params.get(k, arch_params.get(a)) for k, a in zip(key, arch)]
    meta = pd.DataFrame({
        "model": ids, "params_b": params_b_from_millions(millions).to_numpy(),
        "family": arch.map(clip_family),
        "description": [join_desc(f"OpenCLIP {a} image-text model, pretrained weights '{t}'",
                                  labelled("Hugging Face Hub", str(hub[k]).rstrip("/") if hub.get(k) else None))
                        for a, t, k in zip(arch, tag, key)],
    })
    return models_frame(rec, meta, candidates=True, modality="multimodal", open_weights=True,
                        pipeline_tag="zero-shot-image-classification")


# --------------------------------------------------------------------------- clip_benchmark
_CB_CLS = ("acc1", "acc5", "mean_per_class_recall", "mean_average_precision")
_CB_RETR = ("image_retrieval_recall@5", "text_retrieval_recall@5")
_CB_AGGREGATES = ("vtab", "vtab+", "imagenet_robustness")


def _cb_specs(file: str, model_cols: tuple, dataset_col: str, metrics: tuple) -> list[TableSpec]:
    return [TableSpec(file=file, layout="long", model_cols=model_cols, model_join="/",
                      model_format="open_clip/{}", dataset_col=dataset_col, score_col=metric, metric=metric,
                      task="image-text-retrieval" if metric in _CB_RETR else "zero-shot-image-classification",
                      aggregate_cols=_CB_AGGREGATES)
            for metric in metrics]


CLIP_BENCHMARK_SPECS = _cb_specs("benchmark_benchmark.csv", ("model", "pretrained"), "dataset",
                                 _CB_CLS + _CB_RETR)
CLIP_PROBE_TABLE_SPECS = _cb_specs("probe_benchmark_openclip_results.csv", ("model_fullname",),
                                   "downstream_dataset", _CB_CLS[:3] + _CB_RETR)  # no mAP column
# flickr8k in the probe table differs from benchmark.csv by ~0.25 R@5 for every shared checkpoint:
# another split/version, so it gets its own subset instead of mixing with benchmark.csv
_CB_PROBE_TABLE_SUBSET = {"flickr8k": "probe-table"}
_PROBE_JSON = "probe_benchmark_scaling_experiment_data2.json"


def load_clip_benchmark(source_dir: Path) -> SourceResult:
    """LAION CLIP_benchmark: zero-shot classification (acc1/acc5/mean per-class recall, mAP for
    voc2007_multilabel) and retrieval recall@5, all 0-1; linear probes (``lp_acc1`` as acc1, max
    over the lr x epochs sweep, subset ``<k>-shot``/``full``, task linear-probe-classification).
    Ids match open_clip (``open_clip/<arch>/<tag>``); unreleased scaling checkpoints keep their
    file names as tag. ``vtab``/``vtab+``/``imagenet_robustness`` are aggregates; probe-table
    rows repeating benchmark.csv (same checkpoint, dataset, metric) are duplicates.
    """
    source_dir = require_dir(source_dir)
    report = DropReport()
    bench = read_specs(source_dir, CLIP_BENCHMARK_SPECS, report)
    table = read_specs(source_dir, CLIP_PROBE_TABLE_SPECS, report)
    table["model"] = table["model"].str.replace(" ", "/", n=1, regex=False)
    table["subset"] = table["dataset"].map(_CB_PROBE_TABLE_SUBSET).fillna("")
    rec = pd.concat([bench, table, _linear_probe_records(source_dir, report)], ignore_index=True)
    rec["dataset"] = rec["dataset"].map(clip_dataset)
    rec = finish_records(rec, report)
    models = _clip_benchmark_models(source_dir, rec, report)
    types = read_file(source_dir / "benchmark_dataset_type.csv", pd.read_csv, report)
    desc = {} if types is None else {clip_dataset(d): f"CLIP_benchmark dataset type: {t}."
                                     for d, t in zip(types["dataset"], types["type"])}
    return source_result("clip_benchmark", rec, models,
                         datasets_frame(rec, languages=lambda name, g: "en", descriptions=desc), report)


def _linear_probe_records(source_dir: Path, report: DropReport) -> pd.DataFrame:
    runs = read_file(source_dir / _PROBE_JSON, lambda p: pd.DataFrame(json.loads(Path(p).read_text())), report)
    if runs is None or not len(runs):
        return record_frame([])
    runs = runs.assign(model="open_clip/" + runs["model_short"].str.replace(" ", "/", n=1, regex=False),
                       dataset=runs["dataset"], task="linear-probe-classification", metric="acc1",
                       subset=np.where(runs["fewshot_k"] < 0, "full", runs["fewshot_k"].astype(str) + "-shot"),
                       score=runs["lp_acc1"])
    rec = long_frame_records(runs[KEY + ["score"]], report)
    # keep the best run of the lr x epochs sweep; the other runs are excluded on purpose
    rec = rec.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    return drop_rows(rec, rec.duplicated(KEY), "excluded", report, "linear-probe runs other than the best lr x epochs")


def _clip_benchmark_models(source_dir: Path, rec: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    ids = pd.Series(sorted(rec["model"].unique()))
    arch = ids.str.split("/").str[1]
    tag = ids.str.split("/", n=2).str[2]
    table2 = read_file(source_dir / "probe_benchmark_clip_table_2.csv", pd.read_csv, report)
    arch_params = {} if table2 is None else dict(zip(table2["model"], table2["mparams"]))
    probe = read_file(source_dir / "probe_benchmark_openclip_results.csv", pd.read_csv, DropReport())
    info = {} if probe is None else {
        "open_clip/" + f.replace(" ", "/", 1): (u, s) for f, u, s in
        zip(probe["model_fullname"], probe["upstream_dataset"], probe["samples_seen_pretty"])}
    unreleased = tag.str.startswith("Model-")
    meta = pd.DataFrame({
        "model": ids, "params_b": params_b_from_millions(arch.map(arch_params)).to_numpy(),
        "family": arch.map(clip_family), "open_weights": ~unreleased,
        "description": [join_desc(("Unreleased OpenCLIP scaling-law checkpoint" if u else "OpenCLIP")
                                  + f" {a} '{t}'",
                                  labelled("upstream data", info.get(m, (None, None))[0]),
                                  labelled("samples seen", info.get(m, (None, None))[1]))
                        for m, a, t, u in zip(ids, arch, tag, unreleased)],
    })
    return models_frame(rec, meta, modality="multimodal", pipeline_tag="zero-shot-image-classification")
