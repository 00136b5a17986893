"""Adapters for the plain-table vision, vision-language and speech leaderboards.

Sources (folder = source id): ``timm_results``, ``torchvision_weights``, ``open_clip``,
``clip_benchmark``, ``imagenet_testbed``, ``robustbench``, ``open_asr_leaderboard``.

Each CSV is described by a :class:`~.table_spec.TableSpec` (a small declarative spec per file)
and read by :func:`~.table_spec.read_table`; the two JSON files (torchvision ``weights_meta.jsonl``
and the CLIP_benchmark linear-probe runs) are flattened to a long frame and go through
:func:`_frame_records`. Source-specific rules are small post-steps on the record frame:

* **duplicates** are resolved by read order: the first spec that yields a
  ``(model, dataset, subset, task, metric)`` key keeps it, later ones count as ``duplicate``
  (timm's second ``img_size``, the testbed's ``on-disk``/``-format-val`` twins, the open_clip
  classification-only file, CLIP_benchmark rows repeated in its probe table).
* columns that are read but dropped on purpose (baselines, alternative estimates) are marked with
  the dataset :data:`EXCLUDED` by their column parser and counted as ``excluded``.
* derived columns that are not scores at all (timm ``*_err``/``*_diff``, ``param_count``,
  ``RTFx`` speed, FLOPs) are never read as scores and are not counted.

Scores are as published: timm / torchvision / testbed / RobustBench in %, open_clip and
CLIP_benchmark on 0-1, WER in % (lower is better). ``params_b`` is always billions of parameters.
Invariant (tested): ``report.rows_read == len(records) + sum(drops other than unparseable_file)``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np
import pandas as pd

from ...common.tasks import task_domain
from .base import DropReport, SourceFileError, SourceResult, make_result, read_file
from .table_spec import TableSpec, parse_score, read_table

KEY = ["model", "dataset", "subset", "task", "metric"]
EXCLUDED = "__excluded__"   # dataset marker: a column read, then dropped as "excluded"
_REC_COLS = KEY + ["score", "higher_is_better"]

# Shared names for the ImageNet-family test sets, so timm, torchvision, the testbed,
# open_clip, CLIP_benchmark and RobustBench name one benchmark the same way.
IMAGENET_NAMES = {
    "imagenet": "ImageNet", "imagenet1k": "ImageNet", "imagenet1k-unverified": "ImageNet",
    "imagenet-1k": "ImageNet", "val": "ImageNet", "imagenet-real": "ImageNet-ReaL",
    "imagenetv2": "ImageNetV2", "imagenet_sketch": "ImageNet-Sketch", "sketch": "ImageNet-Sketch",
    "imagenet-sketch": "ImageNet-Sketch", "imagenet-a": "ImageNet-A", "imagenet-r": "ImageNet-R",
    "imagenet-o": "ImageNet-O", "objectnet": "ObjectNet", "objectnet-1.0-beta": "ObjectNet",
    "stylized_imagenet": "Stylized-ImageNet",
}
# dataset -> benchmark family where it is not simply the slug of the name
_FAMILY = {"ImageNet-ReaL": "imagenet",   # ReaL relabels the ImageNet val images: same family
           "voc2007_multilabel": "voc2007",
           "multilingual_mscoco_captions": "mscoco-captions"}
_FAMILY_PREFIX = (("imagenet-c-", "imagenet-c"), ("imagenet-3dcc-", "imagenet-3dcc"),
                  ("cifar10-c-", "cifar10-c"), ("cifar100-c-", "cifar100-c"))


# --------------------------------------------------------------------------- shared helpers
def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9.+]+", "-", str(name).lower()).strip("-")


def dataset_family(dataset: str) -> str:
    """Benchmark family of a dataset name: all subsets / corruptions / VTAB copies of one
    benchmark share it (``vtab/cifar100`` -> ``cifar100``, ``imagenet-c-fog`` -> ``imagenet-c``)."""
    if dataset in _FAMILY:
        return _FAMILY[dataset]
    for prefix, fam in _FAMILY_PREFIX:
        if dataset.startswith(prefix):
            return fam
    return _slug(re.sub(r"^vtab[/_]", "", dataset))


_ARCH_PREFIX = re.compile(r"^(?:quantized|tf|legacy|gluon|ig|ssl|swsl|ens_adv|adv|instagram|timm|dm(?=_)|"
                          r"fix(?=[a-z]))_?")
_ARCH_JOIN = {"wide": "wide-", "tiny": "tiny-", "se": "se"}   # two-token stems: wide_resnet, se_resnet
_ARCH_STEM = {"res": "res2net", "wideresnet": "wide-resnet"}


def arch_family(name: str) -> str:
    """Architecture family from a vision model or builder name (``resnet50.a1_in1k`` -> ``resnet``,
    ``swinv2_base_window8`` -> ``swin``, ``quantized_mobilenet_v3_large`` -> ``mobilenet``,
    ``BiT-M-R50x1`` -> ``bit``). Heuristic: leading letters of the first token, minus version."""
    s = re.sub(r"[-\s]+", "_", str(name).lower().split("/")[-1].split(".")[0])
    prev = None
    while prev != s:
        prev, s = s, _ARCH_PREFIX.sub("", s)
    parts = s.split("_")
    tok = _ARCH_JOIN[parts[0]] + parts[1] if parts[0] in _ARCH_JOIN and len(parts) > 1 else parts[0] or s
    m = re.match(r"[a-z-]+?(?=v?\d|$)", tok)
    base = _ARCH_STEM.get(m.group(0), m.group(0)) if m else tok
    return base if len(base) >= 3 else tok   # "r3d", "s3d", "nf": too short to be a stem


def _require_dir(source_dir: Path) -> Path:
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise SourceFileError(f"source folder not found: {source_dir}")
    return source_dir


def _frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=_REC_COLS)


def _read(source_dir: Path, specs: Iterable[TableSpec], report: DropReport) -> pd.DataFrame:
    """All records of ``specs`` in read order (the order is the duplicate priority)."""
    out: list[dict] = []
    for spec in specs:
        out.extend(read_table(source_dir, spec, report))
    return _frame(out)


def _drop(rec: pd.DataFrame, mask, reason: str, report: DropReport, note: str = "") -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    report.drop(reason, n)
    if n and note:
        report.notes.append(f"{n} {reason}: {note}")
    return rec[~mask].reset_index(drop=True)


def _finish(rec: pd.DataFrame, report: DropReport) -> pd.DataFrame:
    """Drop EXCLUDED-marked cells, then later copies of a key (first read wins)."""
    rec = _drop(rec, rec["dataset"] == EXCLUDED, "excluded", report)
    return _drop(rec, rec.duplicated(KEY, keep="first"), "duplicate", report)


def _frame_records(df: pd.DataFrame, report: DropReport, score_col: str = "score") -> pd.DataFrame:
    """Records from an already long frame (columns KEY + score [+ higher_is_better]); parses
    and counts the score cells like :func:`read_table` does."""
    report.rows_read += len(df)
    parsed = [parse_score(v) for v in df[score_col].tolist()]
    why = pd.Series([w for _, w in parsed], index=df.index, dtype="object")
    for reason, n in why.dropna().value_counts().items():
        report.drop(reason, int(n))
    out = df.assign(score=[v for v, _ in parsed])[why.isna().to_numpy()]
    if "higher_is_better" not in out:
        out = out.assign(higher_is_better=None)
    return out[_REC_COLS].reset_index(drop=True)


def _params_b_from_millions(values) -> pd.Series:
    """Millions of parameters (``"1,014.45"`` strings allowed) -> billions; <= 0 -> NA."""
    v = pd.to_numeric(pd.Series(values).astype(str).str.replace(",", "", regex=False), errors="coerce")
    return (v.where(v > 0) / 1000.0).astype("Float64")


def _datasets_frame(rec: pd.DataFrame, languages: Optional[Callable[[str, pd.DataFrame], str]] = None,
                    descriptions: Optional[dict] = None) -> pd.DataFrame:
    """One row per dataset: most frequent task, family, domain; description from the source."""
    rows = []
    for name, g in rec.groupby("dataset", sort=True):
        # the task of the plain benchmark (empty subset) wins over its variants (pgd, ...)
        main = g[g["subset"].eq("")] if g["subset"].eq("").any() else g
        task = main["task"].value_counts().index[0]
        rows.append({"dataset": name, "family": dataset_family(name),
                     "description": (descriptions or {}).get(name, ""), "task": task,
                     "domain": task_domain(task),
                     "languages": languages(name, g) if languages else ""})
    return pd.DataFrame(rows)


def _models_frame(rec: pd.DataFrame, meta: pd.DataFrame, candidates: bool = False, **defaults) -> pd.DataFrame:
    """One row per model in ``rec`` (plus, with ``candidates``, every model of ``meta``: released
    checkpoints without scores), ``meta`` joined on ``model``, NA filled with ``defaults``."""
    names = set(rec["model"]) | (set(meta["model"].dropna()) if candidates and len(meta) else set())
    models = pd.DataFrame({"model": sorted(names)})
    if len(meta):
        models = models.merge(meta.drop_duplicates("model"), on="model", how="left")
    for col, value in defaults.items():
        if col not in models:
            models[col] = value
        else:
            models[col] = models[col].where(models[col].notna(), value)
    return models


def _result(source: str, rec: pd.DataFrame, models: pd.DataFrame, datasets: pd.DataFrame,
            report: DropReport) -> SourceResult:
    rec = rec.assign(higher_is_better=rec["higher_is_better"].astype("object"))
    rec["higher_is_better"] = rec["higher_is_better"].where(rec["higher_is_better"].notna(), None)
    return make_result(source, rec, models, datasets, report)


# --------------------------------------------------------------------------- timm
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
    source_dir = _require_dir(source_dir)
    report = DropReport()
    rec = _read(source_dir, TIMM_SPECS, report)
    cfg = _timm_cfgs(source_dir, report)
    name_res = rec["model"].str.rsplit("@", n=1, expand=True).reindex(columns=[0, 1])
    rec["model"] = name_res[0].astype(str)
    default = rec["model"].map(cfg["default_res"]) if len(cfg) else pd.Series(np.nan, index=rec.index)
    is_default = pd.to_numeric(name_res[1], errors="coerce").eq(default)
    # default resolution first, then file order: the first copy of a key is kept
    rec = rec.assign(_o=~is_default).sort_values("_o", kind="stable").drop(columns="_o")
    rec = _finish(rec.reset_index(drop=True), report)
    rec["model"] = "timm/" + rec["model"]
    models = _timm_models(source_dir, rec, cfg, report)
    return _result("timm_results", rec, models, _datasets_frame(rec), report)


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
    meta["params_b"] = _params_b_from_millions(meta["name"].map(params)).to_numpy()
    arch = meta["name"].str.split(".").str[0]
    meta["family"] = arch.map(arch_family)
    c = cfg.reindex(meta["name"]) if len(cfg) else pd.DataFrame(index=meta["name"])
    meta["license"] = c.get("license", pd.Series(index=c.index, dtype=object)).to_numpy()
    meta["description"] = [
        _join_desc(f"timm image model {a}, pretrained tag '{n.split('.', 1)[-1]}'",
                   _labelled("pretraining data", pretrain.get(a)),
                   _labelled("paper", _get(c, n, "paper_name")),
                   _labelled("Hugging Face Hub", _get(c, n, "hf_hub_id")))
        for n, a in zip(meta["name"], arch)]
    return _models_frame(rec, meta.drop(columns="name"), candidates=True, modality="vision",
                         open_weights=True, pipeline_tag="image-classification")


def _get(frame: pd.DataFrame, row, col):
    if col not in frame.columns:
        return None
    v = frame.at[row, col]
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _labelled(label: str, value) -> str:
    return f"{label}: {value}" if value is not None and str(value).strip() not in ("", "nan") else ""


def _join_desc(*parts: str) -> str:
    return "; ".join(p for p in parts if p) + "."


# --------------------------------------------------------------------------- torchvision
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
    source_dir = _require_dir(source_dir)
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
    rec = _finish(_frame_records(pd.DataFrame(rows, columns=_REC_COLS), report), report)
    info = pd.DataFrame([{
        "model": f"torchvision/{r['weights']}",
        "params_b": r["num_params"] / 1e9 if r.get("num_params") else pd.NA,
        "family": arch_family(r.get("model", "")),
        "license": r.get("license") or "BSD-3-Clause",
        "pipeline_tag": _TV_TASK.get(r.get("module"), "image-classification"),
        "description": _join_desc(f"torchvision {r.get('module')} weights {r['weights']} for builder {r.get('model')}",
                                  _labelled("GFLOPS", r.get("_ops")), _labelled("file size MB", r.get("_file_size")),
                                  _labelled("training recipe", r.get("recipe"))),
    } for r in meta])
    models = _models_frame(rec, info, candidates=True, modality="vision", open_weights=True)
    return _result("torchvision_weights", rec, models, _datasets_frame(rec), report)


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --------------------------------------------------------------------------- open_clip
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
    source_dir = _require_dir(source_dir)
    report = DropReport()
    rec = _read(source_dir, OPEN_CLIP_SPECS, report)
    rec["task"] = np.where(rec["dataset"].eq("WinoGAViL"), "image-text-retrieval", rec["task"])
    rec = _finish(rec, report)
    models = _open_clip_models(source_dir, rec, report)
    langs = lambda name, g: ",".join(sorted(g["subset"].unique())) \
        if name in ("crossmodal3600", "multilingual_mscoco_captions") else "en"
    return _result("open_clip", rec, models, _datasets_frame(rec, languages=langs), report)


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
        "model": ids, "params_b": _params_b_from_millions(millions).to_numpy(),
        "family": arch.map(clip_family),
        "description": [_join_desc(f"OpenCLIP {a} image-text model, pretrained weights '{t}'",
                                   _labelled("Hugging Face Hub", str(hub[k]).rstrip("/") if hub.get(k) else None))
                        for a, t, k in zip(arch, tag, key)],
    })
    return _models_frame(rec, meta, candidates=True, modality="multimodal", open_weights=True,
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
    source_dir = _require_dir(source_dir)
    report = DropReport()
    bench = _read(source_dir, CLIP_BENCHMARK_SPECS, report)
    table = _read(source_dir, CLIP_PROBE_TABLE_SPECS, report)
    table["model"] = table["model"].str.replace(" ", "/", n=1, regex=False)
    table["subset"] = table["dataset"].map(_CB_PROBE_TABLE_SUBSET).fillna("")
    rec = pd.concat([bench, table, _linear_probe_records(source_dir, report)], ignore_index=True)
    rec["dataset"] = rec["dataset"].map(clip_dataset)
    rec = _finish(rec, report)
    models = _clip_benchmark_models(source_dir, rec, report)
    types = read_file(source_dir / "benchmark_dataset_type.csv", pd.read_csv, report)
    desc = {} if types is None else {clip_dataset(d): f"CLIP_benchmark dataset type: {t}."
                                     for d, t in zip(types["dataset"], types["type"])}
    return _result("clip_benchmark", rec, models,
                   _datasets_frame(rec, languages=lambda name, g: "en", descriptions=desc), report)


def _linear_probe_records(source_dir: Path, report: DropReport) -> pd.DataFrame:
    runs = read_file(source_dir / _PROBE_JSON, lambda p: pd.DataFrame(json.loads(Path(p).read_text())), report)
    if runs is None or not len(runs):
        return _frame([])
    runs = runs.assign(model="open_clip/" + runs["model_short"].str.replace(" ", "/", n=1, regex=False),
                       dataset=runs["dataset"], task="linear-probe-classification", metric="acc1",
                       subset=np.where(runs["fewshot_k"] < 0, "full", runs["fewshot_k"].astype(str) + "-shot"),
                       score=runs["lp_acc1"])
    rec = _frame_records(runs[KEY + ["score"]], report)
    # keep the best run of the lr x epochs sweep; the other runs are excluded on purpose
    rec = rec.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    return _drop(rec, rec.duplicated(KEY), "excluded", report, "linear-probe runs other than the best lr x epochs")


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
        "model": ids, "params_b": _params_b_from_millions(arch.map(arch_params)).to_numpy(),
        "family": arch.map(clip_family), "open_weights": ~unreleased,
        "description": [_join_desc(("Unreleased OpenCLIP scaling-law checkpoint" if u else "OpenCLIP")
                                   + f" {a} '{t}'",
                                   _labelled("upstream data", info.get(m, (None, None))[0]),
                                   _labelled("samples seen", info.get(m, (None, None))[1]))
                        for m, a, t, u in zip(ids, arch, tag, unreleased)],
    })
    return _models_frame(rec, meta, modality="multimodal", pipeline_tag="zero-shot-image-classification")


# --------------------------------------------------------------------------- imagenet_testbed
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
    source_dir = _require_dir(source_dir)
    report = DropReport()
    rec = _read(source_dir, TESTBED_SPECS, report)
    rec = _drop(rec, rec["model"].astype(str).str.match(_TESTBED_EXCLUDED_MODELS.pattern), "excluded",
                report, "non-neural testbed baselines")
    rec = _finish(rec, report)
    types = read_file(source_dir / "model_types.csv", pd.read_csv, report)
    kinds = {} if types is None else dict(zip(types["model"], types["model_type"]))
    ids = pd.Series(sorted(rec["model"].unique()))
    meta = pd.DataFrame({
        "model": ids, "family": ids.map(arch_family),
        "description": [_join_desc(f"ImageNet classifier {m} from the robustness testbed",
                                   _labelled("type", _TESTBED_TYPES.get(kinds.get(m), kinds.get(m))))
                        for m in ids]})
    models = _models_frame(rec, meta, modality="vision", pipeline_tag="image-classification")
    return _result("imagenet_testbed", rec, models, _datasets_frame(rec), report)


# --------------------------------------------------------------------------- robustbench
_RB_METRICS = {"clean_acc": "clean_accuracy", "autoattack_acc": "robust_accuracy",
               "corruptions_acc": "corruption_accuracy", "corruptions_acc_3d": "corruption_3d_accuracy",
               # the paper's own and an external robust-accuracy estimate: the AutoAttack one is kept
               "reported": EXCLUDED, "external": EXCLUDED}
_RB_MCE = {"corruptions_mce": "mce", "corruptions_mce_3d": "mce_3d"}
_RB_KEY = ("model_id", "dataset_dir", "threat_model", "eps")   # packed into the model name
_RB_DATASETS = {"imagenet": "ImageNet"}
_UNAGG = {  # file -> dataset prefix of each corruption
    "model_info__cifar10__corruptions__unaggregated_results.csv": ("cifar10", "cifar10-c-"),
    "model_info__cifar100__corruptions__unaggregated_results.csv": ("cifar100", "cifar100-c-"),
    "model_info__imagenet__corruptions__unaggregated_results.csv": ("imagenet", "imagenet-c-"),
    "model_info__imagenet__corruptions__unaggregated_results_3d.csv": ("imagenet", "imagenet-3dcc-"),
}
_UNAGG_MODEL_COL = ("Unnamed: 0_level_0", "Unnamed: 0_level_1")   # pandas' name for the blank header


def _rb_spec(columns: dict, higher_is_better: Optional[bool]) -> TableSpec:
    return TableSpec(file="robustbench_model_info.csv", model_cols=_RB_KEY, model_join="|", metric="",
                     task="adversarial-robustness", dataset_cols=tuple(columns),
                     higher_is_better=higher_is_better,
                     # blank eps must stay "" (not NaN) to be packed into the model key
                     read_kw=(("keep_default_na", False),),
                     column_parser=lambda col: (EXCLUDED if columns[col] == EXCLUDED else "", "", columns[col]))


def _unagg_spec(file: str, ds: str, prefix: str) -> TableSpec:
    return TableSpec(file=file, model_cols=(_UNAGG_MODEL_COL,), metric="corruption_accuracy",
                     task="adversarial-robustness", read_kw=(("header", [0, 1]),),
                     model_format=f"{{}}|{ds}|corruptions|",
                     column_parser=lambda col: (prefix + str(col[0]).replace("_", "-"),
                                                f"severity-{col[1]}", "corruption_accuracy"))


ROBUSTBENCH_SPECS = [_rb_spec(_RB_METRICS, None), _rb_spec(_RB_MCE, False)] + \
                    [_unagg_spec(f, *v) for f, v in _UNAGG.items()]


def eps_subset(threat: str, eps) -> str:
    """``Linf`` + ``0.031`` -> ``Linf-8/255`` (the same budget as ``8/255``); corruptions -> ``corruptions``."""
    if threat == "corruptions":
        return "corruptions"
    s = str(eps).strip()
    try:
        num, _, den = s.partition("/")
        v = float(num) / (float(den) if den else 1.0)
    except ValueError:
        return f"{threat}-{s}"
    k = v * 255
    if threat == "Linf" and abs(k - round(k)) < 0.15 and round(k) > 0:
        return f"{threat}-{round(k)}/255"
    return f"{threat}-{s}"


def load_robustbench(source_dir: Path) -> SourceResult:
    """RobustBench: clean / AutoAttack robust / corruption accuracy (%), mCE (lower is better),
    key (model_id, dataset_dir, threat_model): dataset = dataset_dir, subset = threat model and eps.
    Per-corruption accuracies (0-1) from the unaggregated CSVs: dataset ``<ds>-c-<corruption>``
    (``imagenet-3dcc-`` for 3DCC), subset ``severity-<n>``. Robust accuracy of ``unreliable``
    entries is ``flagged``. Model id ``robustbench/<model_id>``."""
    source_dir = _require_dir(source_dir)
    report = DropReport()
    rec = _read(source_dir, ROBUSTBENCH_SPECS, report)
    info = read_file(source_dir / "robustbench_model_info.csv", pd.read_csv, DropReport())  # counted once
    info = info if info is not None else pd.DataFrame(columns=list(_RB_KEY) + ["unreliable"])
    # the cifar10 unaggregated CSV drops underscores ("Hendrycks2020AugMixWRN"): match them back
    ids = set(info["model_id"])
    squeezed = {i.replace("_", ""): i for i in ids}
    key = rec["model"].str.split("|", n=3, expand=True).reindex(columns=range(4)).fillna("").astype(str)
    mid = key[0].map(lambda m: m if m in ids else squeezed.get(m.replace("_", ""), m))
    rec["model"] = "robustbench/" + mid
    main_table = rec["dataset"].isin(["", EXCLUDED])
    rec["dataset"] = np.where(rec["dataset"].eq(""), key[1].map(lambda d: _RB_DATASETS.get(d, d)), rec["dataset"])
    rec["subset"] = np.where(main_table, [eps_subset(t, e) for t, e in zip(key[2], key[3])], rec["subset"])
    bad = set(info.loc[info["unreliable"].astype(str).eq("True"), "model_id"])
    rec = _drop(rec, mid.isin(bad) & rec["metric"].eq("robust_accuracy"), "flagged", report,
                "robust accuracy of entries marked unreliable")
    rec = _finish(rec, report)
    meta = info.drop_duplicates("model_id").assign(model="robustbench/" + info["model_id"])
    meta = pd.DataFrame({
        "model": meta["model"], "family": meta["architecture"].map(arch_family),
        "description": [_join_desc(f"Robust classifier {m} from RobustBench", _labelled("paper", n),
                                   _labelled("venue", v), _labelled("architecture", a),
                                   _labelled("extra training data", d), _labelled("link", lk))
                        for m, n, v, a, d, lk in zip(meta["model_id"], meta["name"], meta["venue"],
                                                     meta["architecture"], meta["additional_data"], meta["link"])],
    }) if len(meta) else pd.DataFrame(columns=["model"])
    models = _models_frame(rec, meta, modality="vision", open_weights=True, pipeline_tag="image-classification")
    return _result("robustbench", rec, models, _datasets_frame(rec), report)


# --------------------------------------------------------------------------- open_asr_leaderboard
_ASR_SHORT = {"AMI WER": ("AMI", ""), "Earnings22 WER": ("Earnings-22", ""), "Gigaspeech WER": ("GigaSpeech", ""),
              "LS Clean WER": ("LibriSpeech", "test-clean"), "LS Other WER": ("LibriSpeech", "test-other"),
              "SPGISpeech WER": ("SPGISpeech", ""), "Tedlium WER": ("TED-LIUM", ""),
              "Voxpopuli WER": ("VoxPopuli", "")}
# long-form audio is another protocol than the short-form clips of the same corpora;
# coraal_avg is CORAAL's own score (mean over its sub-corpora), not a cross-benchmark average
_ASR_LONG = {"earnings21": "Earnings-21", "earnings22": "Earnings-22", "tedlium": "TED-LIUM",
             "coraal_avg": "CORAAL"}
_ASR_MULTI = {"covost": "CoVoST 2", "mls": "MLS", "fleurs": "FLEURS"}
_ASR_META = ("RTFx", "Model size (B)", "License")   # speed and metadata: not scores


def _asr_column(col: str):
    if col in _ASR_SHORT:
        return (*_ASR_SHORT[col], "wer")
    if col in _ASR_LONG:
        return (_ASR_LONG[col], "longform", "wer")
    lang, _, ds = col.partition("_")
    if ds in _ASR_MULTI:
        return (_ASR_MULTI[ds], lang, "wer")
    return (col, "", "wer")   # Avg* columns: counted as aggregates by read_table


_ASR = dict(metric="wer", task="automatic-speech-recognition", higher_is_better=False,
            ignore_cols=_ASR_META, column_parser=_asr_column)
OPEN_ASR_SPECS = [TableSpec(file="en_shortform.csv", model_cols=("model",), **_ASR),
                  TableSpec(file="en_longform.csv", model_cols=("model_id",), **_ASR),
                  TableSpec(file="multilingual.csv", model_cols=("model",), **_ASR)]
_ASR_FAMILIES = ("whisper", "parakeet", "canary", "wav2vec2", "hubert", "data2vec", "omniasr", "mms",
                 "moonshine", "voxtral", "qwen", "granite", "phi", "owsm", "chirp", "scribe", "conformer",
                 "zipformer", "glm", "ultravox", "vibevoice", "cohere", "universal", "speechmatics", "revai")


def asr_family(model_id: str) -> str:
    """ASR family: the keyword found earliest in the id (``distil-whisper/distil-large-v3`` ->
    ``whisper``, ``CohereLabs/cohere-transcribe`` -> ``cohere``), else the organisation."""
    s = model_id.lower()
    found = [(s.find(f), f) for f in _ASR_FAMILIES if f in s]
    return min(found)[1] if found else s.split("/")[0]


def load_open_asr(source_dir: Path) -> SourceResult:
    """Open ASR Leaderboard: WER in % (lower is better, set explicitly). Short-form English sets
    (LibriSpeech test-clean/test-other as subsets), long-form sets (subset ``longform``) and
    multilingual ``<lang>_<dataset>`` columns (dataset CoVoST 2 / MLS / FLEURS, subset = language).
    ``Avg*`` columns are aggregates; RTFx and size are metadata. Size -1/blank is unknown; License
    Open/Proprietary sets ``open_weights``. Ids are kept as written (assembly vs assemblyai)."""
    source_dir = _require_dir(source_dir)
    report = DropReport()
    rec = _finish(_read(source_dir, OPEN_ASR_SPECS, report), report)
    meta = []
    for spec in OPEN_ASR_SPECS:
        df = read_file(source_dir / spec.file, pd.read_csv, DropReport())   # already counted once
        if df is not None:
            meta.append(pd.DataFrame({
                "model": df[spec.model_cols[0]],
                "params_b": pd.to_numeric(df.get("Model size (B)", pd.Series(pd.NA, index=df.index)),
                                          errors="coerce"),
                "open_weights": df["License"].map({"Open": True, "Proprietary": False})
                if "License" in df else pd.NA}))
    meta = pd.concat(meta, ignore_index=True) if meta else \
        pd.DataFrame(columns=["model", "params_b", "open_weights"])
    meta["params_b"] = meta["params_b"].where(meta["params_b"] > 0)
    # first known value per model across the three files
    meta = meta.groupby("model", as_index=False).first()
    meta["family"] = meta["model"].map(asr_family)
    meta["organization"] = meta["model"].str.split("/").str[0]
    models = _models_frame(rec, meta, modality="speech", pipeline_tag="automatic-speech-recognition")
    langs = lambda name, g: ",".join(sorted(g["subset"].unique())) if name in _ASR_MULTI.values() else "en"
    return _result("open_asr_leaderboard", rec, models, _datasets_frame(rec, languages=langs), report)
