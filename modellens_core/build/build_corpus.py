"""``python -m modellens_core build-corpus --sources DIR --out assets``.

Reads every source folder with its adapter, merges them into the canonical corpus and writes
(deterministically: two runs give byte-identical files)::

    assets/corpus/records.parquet      model, dataset, subset, task, metric, score,
                                       higher_is_better, z, source, group, group_size, protocol
                                       (standard / zero-shot / linear-probe / fine-tune /
                                       retrieval-reformulation), raw_dataset (the source's
                                       dataset name as the pre-registry id)
    assets/corpus/models.parquet       the model catalog (with Hub models without records)
    assets/corpus/datasets.parquet     the dataset catalog
    assets/corpus/splits/<setting>.parquet   split label per record (records order)
    assets/corpus/{model,dataset}_emb_{codes,scale}.npy   int8 description vectors
    assets/corpus/build_report.json    per source: rows read, kept, dropped by reason
    assets/manifest.json               counts and sha256 of every shipped file
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..common.encoder import TextEncoder, quantize
from .ingest import (
    ADAPTERS,
    OPTIONAL_SOURCES,
    SKIPPED_FOLDERS,
    SOURCE_FOLDERS,
    load_source,
)
from .ingest.base import DROP_REASONS, DropReport, SourceFileError
from .manifest import write_manifest
from .merge import add_z, build_dataset_catalog, build_model_catalog, merge_sources
from .splits import make_splits

SEED = 20261123


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, index=False, compression="zstd", engine="pyarrow")


def load_all(sources_dir: Path, only: list[str] | None = None):
    results, reports, skipped = [], {}, []
    names = [s for s in ADAPTERS if (not only or s in only)
             and not (s in OPTIONAL_SOURCES and not (Path(sources_dir) / SOURCE_FOLDERS.get(s, s)).is_dir())]
    folders = {SOURCE_FOLDERS.get(s, s) for s in ADAPTERS}
    unknown = sorted(p.name for p in Path(sources_dir).iterdir()
                     if p.is_dir() and p.name not in folders | SKIPPED_FOLDERS) if Path(sources_dir).is_dir() else []
    for src in tqdm(names, desc="sources", unit="src", file=sys.stderr):
        try:
            res = load_source(sources_dir, src)
        except Exception as exc:  # noqa: BLE001 - a broken source is skipped and reported, never a traceback
            rep = DropReport(notes=[f"skipped: {exc}"])
            rep.drop("unparseable_file")
            reports[src] = rep
            skipped.append(src)
            tqdm.write(f"warning: source {src} skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        results.append(res)
        reports[src] = res.report
    return results, reports, skipped, unknown


def build(sources_dir: Path, out_dir: Path, only: list[str] | None = None, encode: bool = True) -> dict:
    sources_dir, out_dir = Path(sources_dir), Path(out_dir)
    if not sources_dir.is_dir():
        raise SourceFileError(f"sources folder not found: {sources_dir}")
    results, reports, skipped, unknown = load_all(sources_dir, only)
    if not results:
        raise SourceFileError(f"no source could be read under {sources_dir}")
    return build_from_results(results, reports, out_dir, encode, skipped, unknown)


def build_from_results(results, reports, out_dir: Path, encode=True, skipped=(), unknown=()) -> dict:
    """Merge adapter outputs and write the corpus files (see the module docstring)."""
    out_dir = Path(out_dir)
    rec, models, datasets, _ = merge_sources(results, reports)
    rec = add_z(rec)
    model_cat = build_model_catalog(rec, models)
    dataset_cat = build_dataset_catalog(rec, datasets)
    splits = make_splits(rec, model_cat, dataset_cat, SEED)

    corpus = out_dir / "corpus"
    cols = ["model", "dataset", "subset", "task", "metric", "score", "higher_is_better", "z", "source",
            "group", "group_size", "protocol", "raw_dataset"]
    _write_parquet(rec[cols], corpus / "records.parquet")
    _write_parquet(model_cat, corpus / "models.parquet")
    _write_parquet(dataset_cat, corpus / "datasets.parquet")
    for name, labels in splits.items():
        _write_parquet(pd.DataFrame({"split": labels.astype("category")}), corpus / "splits" / f"{name}.parquet")
    if encode:
        enc = TextEncoder()
        for kind, cat in (("dataset", dataset_cat), ("model", model_cat)):
            codes, scale = quantize(enc.encode(cat["description"].tolist(), progress=True))
            np.save(corpus / f"{kind}_emb_codes.npy", codes, allow_pickle=False)
            np.save(corpus / f"{kind}_emb_scale.npy", scale, allow_pickle=False)

    kept = rec["source"].value_counts()
    report = {
        "sources": {src: {"rows_read": r.rows_read, "records_kept": int(kept.get(src, 0)),
                          "dropped": {k: int(r.dropped.get(k, 0)) for k in DROP_REASONS},
                          "notes": r.notes[:20]} for src, r in reports.items()},
        "skipped_sources": list(skipped), "unknown_folders": list(unknown),
        "totals": {"records": int(len(rec)), "models_with_records": int(model_cat["has_records"].sum()),
                   "models": int(len(model_cat)), "datasets": int(len(dataset_cat)),
                   "groups": int(rec["group"].nunique()),
                   "groups_with_signal": int((rec.groupby("group")["model"].size() >= 2).sum()),
                   "sources": int(rec["source"].nunique())},
        "splits": {name: {k: int(v) for k, v in labels.value_counts().sort_index().items()}
                   for name, labels in splits.items()},
    }
    (corpus / "build_report.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    write_manifest(out_dir, report["totals"])
    print(format_report(report))
    return report


def format_report(report: dict) -> str:
    short = {"nan": "nan", "non_numeric": "non-num", "duplicate": "dup", "aggregate_column": "aggr",
             "unknown_metric_direction": "no-dir", "unparseable_file": "bad-file", "flagged": "flagged",
             "excluded": "excl"}
    head = f"{'source':30s} {'read':>9s} {'kept':>9s} " + " ".join(f"{short[k]:>8s}" for k in DROP_REASONS)
    lines = [head, "-" * len(head)]
    for src, r in report["sources"].items():
        lines.append(f"{src:30s} {r['rows_read']:9d} {r['records_kept']:9d} "
                     + " ".join(f"{r['dropped'][k]:8d}" for k in DROP_REASONS))
    t = report["totals"]
    lines.append(f"records {t['records']:,}  models {t['models']:,} ({t['models_with_records']:,} with records)  "
                 f"datasets {t['datasets']:,}  groups {t['groups']:,}  sources {t['sources']}")
    return "\n".join(lines)
