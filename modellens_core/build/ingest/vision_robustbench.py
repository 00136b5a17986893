"""Adapter for RobustBench (``robustbench``): clean, AutoAttack robust and corruption accuracy
(%), mCE (lower is better) and per-corruption accuracies (0-1), model ``robustbench/<model_id>``.

Reads ``robustbench_model_info.csv`` (key model_id, dataset_dir, threat_model, eps: dataset =
dataset_dir, subset = threat model and eps budget) and the unaggregated corruption CSVs (dataset
``<ds>-c-<corruption>``, ``imagenet-3dcc-`` for 3DCC, subset ``severity-<n>``). Traps: ``Linf``
budgets are written both as ``8/255`` and ``0.031`` (one subset, :func:`eps_subset`); blank eps
must stay "" when read; the paper's own (``reported``) and ``external`` robust-accuracy estimates
are ``excluded`` (the AutoAttack one is kept); robust accuracy of entries marked ``unreliable`` is
``flagged``; the cifar10 unaggregated CSV drops underscores from model ids (matched back).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from .base import DropReport, SourceResult, read_file, require_dir
from .table_spec import TableSpec
from .vision_helpers import (EXCLUDED, arch_family, datasets_frame, drop_rows, finish_records, join_desc,
                             labelled, models_frame, read_specs, source_result)

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
    source_dir = require_dir(source_dir)
    report = DropReport()
    rec = read_specs(source_dir, ROBUSTBENCH_SPECS, report)
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
    rec = drop_rows(rec, mid.isin(bad) & rec["metric"].eq("robust_accuracy"), "flagged", report,
                    "robust accuracy of entries marked unreliable")
    rec = finish_records(rec, report)
    meta = info.drop_duplicates("model_id").assign(model="robustbench/" + info["model_id"])
    meta = pd.DataFrame({
        "model": meta["model"], "family": meta["architecture"].map(arch_family),
        "description": [join_desc(f"Robust classifier {m} from RobustBench", labelled("paper", n),
                                  labelled("venue", v), labelled("architecture", a),
                                  labelled("extra training data", d), labelled("link", lk))
                        for m, n, v, a, d, lk in zip(meta["model_id"], meta["name"], meta["venue"],
                                                     meta["architecture"], meta["additional_data"], meta["link"])],
    }) if len(meta) else pd.DataFrame(columns=["model"])
    models = models_frame(rec, meta, modality="vision", open_weights=True, pipeline_tag="image-classification")
    return source_result("robustbench", rec, models, datasets_frame(rec), report)
