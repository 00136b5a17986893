"""Merge adapter outputs into one canonical corpus: records, groups, z-scores, catalogs.

Pipeline (each step counts what it drops, per source):
1. canonical metric names and directions (unknown direction -> dropped);
2. canonical model and dataset ids and each record's protocol (:mod:`canonical`, data in
   ``registry_data/``); raw names stay as aliases, raw dataset ids in ``raw_dataset``;
3. exact duplicates of (model, dataset, subset, task, metric, protocol): the higher-priority
   source keeps it, and within a source the record of the model's own name beats one of a
   precision/packaging copy folded into it;
4. the same score reported by two sources under different subset tags (same model, dataset,
   metric, protocol and value, possibly one in % and one in 0-1) is one record: the later
   source's copy is dropped as a duplicate;
5. z = within-group z-score of the direction-corrected score (higher z = better; groups with
   one model get z = 0 and carry no ranking signal).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..common.metric_names import canonical_metric, higher_is_better
from . import registry
from .canonical import DatasetNamer, ModelNamer, dataset_id, slug
from .catalog import (
    dataset_domain,
    fill_dataset_descriptions,
    fill_descriptions,
    first_non_null,
    model_description_template,
    model_facts,
    size_bucket,
)
from .ingest.base import DATASET_COLUMNS, MODEL_COLUMNS, DropReport, SourceResult

GROUP_KEY = ["dataset", "subset", "task", "metric", "protocol"]
LIKES_SOURCES = ("open_llm_leaderboard", "sloth")  # their popularity column = Hub likes (hearts)
PINNED_SOURCES = ("imagenet_testbed",)
CLIP_SOURCES = ("open_clip", "clip_benchmark")  # OpenCLIP (arch, tag) ids -> the Hub repo of the weights
GRAPH_TASKS = ("graph-", "node-", "link-")
MM_NAMESPACES = ("mmpretrain", "mmdet", "mmsegmentation", "mmpose", "mmaction2", "mmocr", "mmdet3d", "mmrotate",
                 "mmyolo")  # tasks whose models are graph methods (modality "graph")  # bare checkpoint names matched to weights by ImageNet top-1


def _direction(records: pd.DataFrame) -> pd.Series:
    given = records["higher_is_better"]
    known = {m: higher_is_better(m) for m in records["metric"].unique()}
    from_table = records["metric"].map(known)
    return given.where(given.notna(), from_table)


def _family_of(name: str, given=None, kind=None) -> str:
    """Normalised family: API models by their series (``o1-preview`` -> ``o1``, ``claude-3-...`` ->
    ``claude``); OpenMMLab configs by their collection (``Faster R-CNN`` -> ``faster-r-cnn``);
    else the guesser applied to the source's family label (display names like "Qwen2.5-Coder
    (1.5B)" -> "qwen"), else to the model name, else the first name token."""
    from .ingest.family_guess import guess_family
    if kind == "api-model":
        return re.match(r"o\d|[a-z]+|", str(name).split("/")[-1].lower()).group(0) or "unknown"
    if str(name).split("/")[0] in MM_NAMESPACES and isinstance(given, str) and given.strip():
        return slug(given)
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

    # canonical ids (rules: canonical.ModelNamer / DatasetNamer; the raw names stay as aliases)
    namer = model_namer(rec, models)
    pairs = rec[["model", "source"]].astype(str).drop_duplicates()
    ids = {(m, s): namer.resolve(m, s)[0] for m, s in pairs.itertuples(index=False)}
    raw_models = rec["model"].astype(str)
    rec["model"] = [ids[k] for k in zip(raw_models, rec["source"])]
    seen_names = pd.DataFrame({"model": raw_models, "source": rec["source"]}).drop_duplicates()
    models = pd.concat([models, seen_names], ignore_index=True)  # record names become aliases
    models["raw_name"] = models["model"].astype(str)
    models["model"] = [namer.canonical(m, s) for m, s in zip(models["raw_name"], models["source"])]
    models = pd.concat([models, bare_aliases(namer, models, rec)], ignore_index=True)
    models["kind"] = models["model"].map(namer.kinds)
    models["variant_of"] = models["model"].map(namer.variant_of)
    tagged = {n: registry.normalise(n)[1] is not None or registry.split_variant(registry.normalise(n)[0])[1] is not None
              for n in raw_models.unique()}
    rec["_copy"] = raw_models.map(tagged).to_numpy()  # precision/packaging copies lose duplicate ties
    rec, datasets = _canonical_datasets(rec, datasets)
    datasets["family"] = datasets["family"].where(datasets["family"].notna(), datasets["dataset"])
    datasets["family"] = datasets["family"].astype(str).map(dataset_id)
    task_of = first_non_null(datasets[datasets["task"].notna()], "dataset", ["task"])["task"]
    empty_task = rec["task"].astype(str) == ""
    rec.loc[empty_task, "task"] = rec.loc[empty_task, "dataset"].map(task_of).fillna("other")

    # exact duplicates: keep the first by source priority, then file order
    rec["_prio"] = rec["source"].map(priority)
    rec = rec.sort_values(["_prio", "_copy"], kind="stable")
    dup = rec.duplicated(["model"] + GROUP_KEY, keep="first")
    rec = drop(dup, "duplicate", rec)
    rec = drop(_cross_source_copies(rec), "duplicate", rec)

    return rec.drop(columns=["_prio", "_copy"]), models, datasets, namer


def model_namer(rec: pd.DataFrame, models: pd.DataFrame) -> ModelNamer:
    """A :class:`ModelNamer` over every name, with Hub downloads (the Hub list), likes (Open LLM
    Leaderboard hearts), ImageNet-testbed names pinned to library weights by accuracy and
    OpenCLIP weights pinned to their Hub repo (:func:`registry.clip_repos`)."""
    hub = models.loc[models["source"] == "hf_hub_models"]
    pop = dict(zip(hub["model"], pd.to_numeric(hub["popularity"], errors="coerce").fillna(0)))
    hearts = models.loc[models["source"].isin(LIKES_SOURCES)]
    likes = hearts.assign(p=pd.to_numeric(hearts["popularity"], errors="coerce")).groupby("model")["p"].max()
    top1 = rec[(rec["dataset"].astype(str).str.lower() == "imagenet") & (rec["subset"].astype(str) == "")
               & (rec["metric"] == "accuracy")]
    lib = top1[top1["source"].isin(["timm_results", "torchvision_weights"])].groupby("model")["score"].max()
    pinned = {}
    for src in PINNED_SOURCES:
        named = top1[top1["source"] == src].groupby("model")["score"].max()
        pinned.update(registry.pin_weights(src, named.to_dict(), lib.to_dict()))
    clip = models[models["source"] == "open_clip"]
    for mid, repo in registry.clip_repos(dict(zip(clip["model"], clip["description"]))).items():
        pinned.update({(src, mid): repo for src in CLIP_SOURCES})
    names = pd.concat([rec["model"], models["model"]]).astype(str).unique()
    return ModelNamer(names, hf_ids=hub["model"].astype(str), popularity=pop, likes=likes.dropna().to_dict(),
                      pinned=pinned)


def bare_aliases(namer: ModelNamer, models: pd.DataFrame, rec: pd.DataFrame) -> pd.DataFrame:
    """Alias rows ``(model=id, raw_name=repo name)`` for Hub entries whose bare repo name
    resolves to them (``whisper-large-v3`` -> ``openai/whisper-large-v3``), so a source or user
    that drops the org finds the entry. Checked for entries with records and popular Hub repos."""
    pop = pd.to_numeric(models["popularity"], errors="coerce").fillna(0)
    ids = set(rec["model"]) | set(models.loc[pop >= registry.POPULAR_MIN_DOWNLOADS, "model"])
    rows = []
    for mid in sorted(ids):
        if namer.kinds.get(mid) == "hub-model" and "/" in mid and not mid.startswith("timm/"):
            bare = mid.split("/", 1)[1]
            if namer.canonical(bare) == mid:
                rows.append((mid, bare))
    return pd.DataFrame(rows, columns=["model", "raw_name"]).assign(source="registry")


def _canonical_datasets(rec: pd.DataFrame, datasets: pd.DataFrame):
    """Dataset ids, protocols and alias subsets for records; ids and raw-name aliases for the
    dataset frame (the pre-registry ids, :func:`canonical.dataset_id`, are kept as aliases)."""
    dn = DatasetNamer(pd.concat([rec["dataset"], datasets["dataset"]]).astype(str).unique())
    rec["subset"] = rec["subset"].astype(str).str.strip()
    keys = ["dataset", "source", "task", "subset"]
    uniq = rec[keys].astype(str).drop_duplicates()
    res = pd.DataFrame([dn.resolve(*k) for k in uniq.itertuples(index=False)], index=uniq.index,
                       columns=["_ds", "protocol", "_sub"])
    mapped = rec[keys].astype(str).merge(pd.concat([uniq, res], axis=1), on=keys, how="left")
    raw = pd.DataFrame({"raw_name": rec["dataset"].astype(str), "dataset": mapped["_ds"].to_numpy(),
                        "source": rec["source"].to_numpy()}).drop_duplicates()
    legacy_ids = {d: dataset_id(d) for d in rec["dataset"].astype(str).unique()}
    rec["raw_dataset"] = rec["dataset"].astype(str).map(legacy_ids)  # the pre-registry id, for provenance
    rec["dataset"] = mapped["_ds"].to_numpy()
    rec["subset"] = mapped["_sub"].to_numpy()
    rec["protocol"] = mapped["protocol"].to_numpy()
    datasets = datasets.assign(raw_name=datasets["dataset"].astype(str))
    datasets["dataset"] = [dn.resolve(d, s, str(t) if isinstance(t, str) else "")[0]
                           for d, s, t in zip(datasets["raw_name"], datasets["source"], datasets["task"])]
    legacy = pd.concat([raw, datasets[["raw_name", "dataset", "source"]]], ignore_index=True)
    legacy = pd.concat([legacy, legacy.assign(raw_name=legacy["raw_name"].map(dataset_id))], ignore_index=True)
    datasets = pd.concat([datasets, legacy.drop_duplicates()], ignore_index=True)
    return rec, datasets

def _cross_source_copies(rec: pd.DataFrame) -> pd.Series:
    """Rows that repeat a higher-priority source's score for the same model, dataset and
    metric under another subset tag (equal value, or equal after a x100 scale change)."""
    cols = ["model", "dataset", "metric", "protocol"]
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
    """One row per canonical model: merged metadata, identity facts (:func:`catalog.model_facts`:
    kind, variant_of, params_b / active_params_b, release_date / date_source, open_weights),
    aliases (every raw name, plus its pre-registry slug), record counts, descriptions."""
    cols = [c for c in MODEL_COLUMNS if c != "model"]
    m = models.copy()
    for c in ("kind", "variant_of"):
        m[c] = m[c] if c in m else pd.NA
    m["params_b"] = pd.to_numeric(m["params_b"], errors="coerce")
    m.loc[m["params_b"] <= 0, "params_b"] = np.nan
    m["popularity"] = pd.to_numeric(m["popularity"], errors="coerce")
    for c in ("description", "family", "base_model", "license", "organization", "pipeline_tag", "modality",
              "release_date"):
        s = m[c].astype(object)
        m[c] = s.where(s.notna() & (s.astype(str).str.strip() != "") & (s.astype(str) != "nan"))
    merged = first_non_null(m, "model", cols)
    merged["popularity"] = m.groupby("model")["popularity"].max()
    facts = model_facts(m)
    for c in facts.columns:
        merged[c] = facts[c].reindex(merged.index)
    raw = m[["model", "raw_name"]].dropna().drop_duplicates()
    legacy = raw.assign(raw_name=raw["raw_name"].map(slug))
    legacy = legacy[~legacy["raw_name"].str.contains("/") & (legacy["raw_name"] != raw["raw_name"].str.lower())]
    aliases = (pd.concat([raw, legacy]).groupby("model")["raw_name"]
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
    cat["family"] = [_family_of(i, f, k) for i, f, k in zip(cat.index, cat["family"], cat["kind"])]
    cat["family"] = cat["family"].astype(str).str.lower()
    cat["size_bucket"] = size_bucket(cat["params_b"])
    if cat["modality"].isna().any():
        dom = rec.groupby("model")["task"].agg(lambda t: t.mode().iloc[0])
        from ..common.tasks import task_domain
        guess = dom.map(lambda t: "graph" if str(t).startswith(GRAPH_TASKS) else task_domain(t))
        cat["modality"] = cat["modality"].fillna(guess.replace({"other": "text"})).fillna("text")
    stated = {i: registry.known_modality(i) for i in cat.index if cat.at[i, "kind"] != "paper-method"}
    cat["modality"] = pd.Series(stated, dtype=object).reindex(cat.index).fillna(cat["modality"])
    cat["open_weights"] = cat["open_weights"].astype("boolean")
    cat["params_b"] = cat["params_b"].astype(float)
    cat["active_params_b"] = cat["active_params_b"].astype(float)
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
    raw = d["raw_name"] if "raw_name" in d else d["dataset"]
    aliases = raw.astype(str).groupby(d["dataset"]).agg(lambda s: sorted(set(s)))
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
    cat["aliases"] = [sorted(set(aliases.get(i, [])) - {i}) for i in cat.index]  # raw and pre-registry ids
    cat.index.name = "dataset"
    cat = cat.drop(columns="task_rec").reset_index()
    cat["name"] = cat["dataset"].map(names).fillna(cat["dataset"])
    cat["description"] = fill_dataset_descriptions(cat, registry.dataset_descriptions())
    return cat
