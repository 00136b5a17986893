"""Merge adapter outputs into one canonical corpus: records, groups, z-scores, catalogs.

Pipeline (each step counts what it drops, per source):
1. canonical metric names and directions (unknown direction -> dropped);
2. canonical model and dataset ids (:mod:`canonical`);
3. exact duplicates of (model, dataset, subset, task, metric): the higher-priority source keeps it;
4. the same score reported by two sources under different protocol tags (same model, dataset,
   metric and value, possibly one in % and one in 0-1) is one record: the later source's copy
   is dropped as a duplicate;
5. z = within-group z-score of the direction-corrected score (higher z = better; groups with
   one model get z = 0 and carry no ranking signal).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..common.metric_names import canonical_metric, higher_is_better
from .canonical import ModelNamer, dataset_id, slug
from .catalog import (
    dataset_description_template,
    dataset_domain,
    fill_descriptions,
    first_non_null,
    model_description_template,
    size_bucket,
)
from .ingest.base import DATASET_COLUMNS, MODEL_COLUMNS, DropReport, SourceResult

GROUP_KEY = ["dataset", "subset", "task", "metric"]


def _direction(records: pd.DataFrame) -> pd.Series:
    given = records["higher_is_better"]
    known = {m: higher_is_better(m) for m in records["metric"].unique()}
    from_table = records["metric"].map(known)
    return given.where(given.notna(), from_table)


def _family_of(name: str, given=None) -> str:
    """Normalised family: the guesser applied to the source's family label (display names like
    "Qwen2.5-Coder (1.5B)" -> "qwen"), else to the model name, else the first name token."""
    from .ingest.family_guess import guess_family
    for text in (given, name):
        if isinstance(text, str) and text.strip():
            fam = guess_family(text)
            if fam:
                return fam
    if isinstance(given, str) and given.strip():
        return slug(given)
    return slug(str(name).split("/")[-1]).split("-")[0] or "unknown"


def merge_sources(results: list[SourceResult], reports: dict[str, DropReport]):
    """Return (records, models, datasets) with canonical ids; updates ``reports`` in place."""
    priority = {r.source: i for i, r in enumerate(results)}
    rec = pd.concat([r.records for r in results], ignore_index=True)
    models = pd.concat([r.models.assign(source=r.source) for r in results], ignore_index=True)
    datasets = pd.concat([r.datasets.assign(source=r.source) for r in results], ignore_index=True)

    def drop(mask: pd.Series, reason: str, frame: pd.DataFrame) -> pd.DataFrame:
        for src, n in frame.loc[mask, "source"].value_counts().items():
            reports[src].drop(reason, int(n))
        return frame[~mask]

    rec = drop(~np.isfinite(pd.to_numeric(rec["score"], errors="coerce").astype(float)), "nan", rec)
    rec = rec.assign(score=rec["score"].astype(float))
    rec["metric"] = rec["metric"].astype(str).map(canonical_metric)
    rec["higher_is_better"] = _direction(rec)
    rec = drop(rec["higher_is_better"].isna(), "unknown_metric_direction", rec)
    rec["higher_is_better"] = rec["higher_is_better"].astype(bool)

    # canonical ids
    hub = models.loc[models["source"] == "hf_hub_models"]
    pop = dict(zip(hub["model"], pd.to_numeric(hub["popularity"], errors="coerce").fillna(0)))
    namer = ModelNamer(pd.concat([rec["model"], models["model"]]).astype(str).unique(),
                       hf_ids=hub["model"].astype(str), popularity=pop)
    raw_models = rec["model"].astype(str)
    rec["model"] = raw_models.map(namer.canonical)
    seen_names = pd.DataFrame({"model": raw_models, "source": rec["source"]}).drop_duplicates()
    models = pd.concat([models, seen_names], ignore_index=True)  # record names become aliases
    models["raw_name"] = models["model"].astype(str)
    models["model"] = models["raw_name"].map(namer.canonical)
    ds_map = {d: dataset_id(d) for d in pd.concat([rec["dataset"], datasets["dataset"]]).astype(str).unique()}
    rec["dataset"] = rec["dataset"].astype(str).map(ds_map)
    datasets["dataset"] = datasets["dataset"].astype(str).map(ds_map)
    datasets["family"] = datasets["family"].where(datasets["family"].notna(), datasets["dataset"])
    datasets["family"] = datasets["family"].astype(str).map(dataset_id)
    rec["subset"] = rec["subset"].astype(str).str.strip()
    task_of = first_non_null(datasets[datasets["task"].notna()], "dataset", ["task"])["task"]
    empty_task = rec["task"].astype(str) == ""
    rec.loc[empty_task, "task"] = rec.loc[empty_task, "dataset"].map(task_of).fillna("other")

    # exact duplicates: keep the first by source priority, then file order
    rec["_prio"] = rec["source"].map(priority)
    rec = rec.sort_values("_prio", kind="stable")
    dup = rec.duplicated(["model"] + GROUP_KEY, keep="first")
    rec = drop(dup, "duplicate", rec)
    rec = drop(_cross_source_copies(rec), "duplicate", rec)

    return rec.drop(columns="_prio"), models, datasets, namer


def _cross_source_copies(rec: pd.DataFrame) -> pd.Series:
    """Rows that repeat a higher-priority source's score for the same model, dataset and
    metric under another subset tag (equal value, or equal after a x100 scale change)."""
    cols = ["model", "dataset", "metric"]
    multi = rec.groupby(cols, sort=False)["source"].transform("nunique") > 1
    cand = rec.loc[multi, cols + ["score", "source", "_prio"]].copy()
    if cand.empty:
        return pd.Series(False, index=rec.index)
    cand["v"] = cand["score"].round(4)
    cand["v100"] = (cand["score"] * 100).round(4)
    first = cand.sort_values("_prio", kind="stable")
    seen_v = first.drop_duplicates(cols + ["v"], keep="first")
    key = cols + ["v"]
    exact = first.merge(seen_v[key + ["_prio"]].rename(columns={"_prio": "p0"}), on=key, how="left")
    dup_exact = (exact["p0"] < exact["_prio"]).to_numpy()
    # scale change: this row's value x100 equals an earlier source's value (0-1 vs %)
    scaled = first.merge(seen_v[cols + ["v", "_prio"]].rename(columns={"v": "v100", "_prio": "p1"}),
                         on=cols + ["v100"], how="left")
    dup_scaled = (scaled["p1"] < scaled["_prio"]).to_numpy()
    # both merges are many-to-one (the right side is unique on its key), so rows line up
    flags = pd.Series(False, index=rec.index)
    flags.loc[first.index] = dup_exact | dup_scaled
    return flags


def add_z(rec: pd.DataFrame) -> pd.DataFrame:
    """Add ``group`` (int id, groups sorted by key), ``z`` and ``group_size``."""
    rec = rec.sort_values(GROUP_KEY + ["model"], kind="stable").reset_index(drop=True)
    rec["group"] = rec.groupby(GROUP_KEY, sort=False).ngroup().astype(np.int32)
    v = np.where(rec["higher_is_better"].to_numpy(), rec["score"].to_numpy(), -rec["score"].to_numpy())
    g = rec["group"].to_numpy()
    n = np.bincount(g)
    mean = np.bincount(g, weights=v) / n
    var = np.maximum(np.bincount(g, weights=v * v) / n - mean ** 2, 0.0)
    std = np.sqrt(var)[g]
    z = np.where(std > 1e-12, (v - mean[g]) / np.where(std > 1e-12, std, 1.0), 0.0)
    rec["z"] = z.astype(np.float32)
    rec["group_size"] = n[g].astype(np.int32)
    return rec


def build_model_catalog(rec: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """One row per canonical model: merged metadata, aliases, record counts, descriptions."""
    cols = [c for c in MODEL_COLUMNS if c != "model"]
    m = models.copy()
    m["params_b"] = pd.to_numeric(m["params_b"], errors="coerce")
    m.loc[m["params_b"] <= 0, "params_b"] = np.nan
    m["popularity"] = pd.to_numeric(m["popularity"], errors="coerce")
    for c in ("description", "family", "base_model", "license", "organization", "pipeline_tag", "modality",
              "release_date"):
        s = m[c].astype(object)
        m[c] = s.where(s.notna() & (s.astype(str).str.strip() != "") & (s.astype(str) != "nan"))
    merged = first_non_null(m, "model", cols)
    merged["popularity"] = m.groupby("model")["popularity"].max()
    aliases = (m[["model", "raw_name"]].drop_duplicates().groupby("model")["raw_name"]
               .agg(lambda s: sorted({x for x in s if x}))).rename("aliases")
    counts = rec.groupby("model").agg(n_records=("z", "size"), n_datasets=("dataset", "nunique"),
                                      sources=("source", lambda s: ",".join(sorted(set(s)))))
    ids = sorted(set(merged.index) | set(counts.index))
    cat = merged.reindex(ids)
    cat = cat.join(aliases).join(counts)
    cat["aliases"] = cat["aliases"].apply(lambda a: a if isinstance(a, list) else [])
    cat["aliases"] = [sorted(set(a) - {i}) for i, a in zip(cat.index, cat["aliases"])]
    cat["n_records"] = cat["n_records"].fillna(0).astype(np.int64)
    cat["n_datasets"] = cat["n_datasets"].fillna(0).astype(np.int64)
    cat["sources"] = cat["sources"].fillna("")
    cat["has_records"] = cat["n_records"] > 0
    cat["family"] = [_family_of(i, f) for i, f in zip(cat.index, cat["family"])]
    cat["family"] = cat["family"].astype(str).str.lower()
    cat["size_bucket"] = size_bucket(cat["params_b"])
    if cat["modality"].isna().any():
        dom = rec.groupby("model")["task"].agg(lambda t: t.mode().iloc[0])
        from ..common.tasks import task_domain
        guess = dom.map(task_domain).replace({"other": "text"})
        cat["modality"] = cat["modality"].fillna(guess).fillna("text")
    cat["open_weights"] = cat["open_weights"].astype("boolean")
    cat.index.name = "model"
    cat = cat.reset_index()
    cat["description"] = fill_descriptions(cat, model_description_template)
    return cat


def build_dataset_catalog(rec: pd.DataFrame, datasets: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in DATASET_COLUMNS if c != "dataset"]
    d = datasets.copy()
    for c in cols:
        s = d[c].astype(object)
        d[c] = s.where(s.notna() & (s.astype(str).str.strip() != ""))
    merged = first_non_null(d, "dataset", cols)
    names = d.groupby("dataset")["dataset"].first()
    stats = rec.groupby("dataset").agg(n_records=("z", "size"), n_models=("model", "nunique"),
                                       task_rec=("task", lambda t: t.mode().iloc[0]),
                                       sources=("source", lambda s: ",".join(sorted(set(s)))))
    # the catalog holds every dataset a source describes, with or without records (a query can
    # match a described benchmark nobody has scored yet); n_records tells them apart
    ids = sorted(set(stats.index) | set(merged.index))
    cat = merged.reindex(ids).join(stats)
    cat["n_records"] = cat["n_records"].fillna(0).astype(np.int64)
    cat["n_models"] = cat["n_models"].fillna(0).astype(np.int64)
    cat["sources"] = cat["sources"].fillna(d.groupby("dataset")["source"].first())
    cat["task"] = cat["task"].fillna(cat["task_rec"]).fillna("other")
    cat["family"] = cat["family"].fillna(pd.Series(cat.index, index=cat.index))
    cat["domain"] = dataset_domain(cat["task"], cat["domain"])
    cat["languages"] = cat["languages"].fillna("")
    cat.index.name = "dataset"
    cat = cat.drop(columns="task_rec").reset_index()
    cat["name"] = cat["dataset"].map(names).fillna(cat["dataset"])
    cat["description"] = fill_descriptions(cat, dataset_description_template)
    return cat
