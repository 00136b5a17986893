"""The practitioner evaluation: ``python -m modellens_core evaluate --settings practitioner``.

The set (``benchmarks/practitioner/``: ``tune.jsonl``, and ``test.jsonl``, the held-out part
nobody tunes on) holds user-style descriptions labelled with the acceptable tasks, the modality,
the data's languages, the acceptable metrics, "not covered" and "gibberish". Every measure is
reported per part, and within each part for all, English and non-English descriptions
(``written_in``):

1. understanding (the shipped app's :class:`~..serving.query.Query`, new fields read with
   :func:`getattr` defaults): task accuracy (covered item: the task is acceptable; not covered:
   the notice is given, ``covered`` False; gibberish: flagged ``weak``), modality, language (items
   with labelled languages: the predicted set equals the label; ["multilingual"] needs
   ``multilingual``), metric (covered, non-gibberish items: an acceptable metric), each a share
   with its Wilson 95% interval and n; the notice rates; calibration (task accuracy of
   ``confident`` answers and of the rest, and a reliability table over confidence bins);
2. held-out datasets (items naming a dataset of the new-datasets test part): the new-datasets
   evaluation checkpoint ranks the whole catalog (default filters) (a) from the description and
   (b) given the dataset's task and main metric (most test records); tau_w, NDCG@10 and
   Overlap@10 of the induced order over the models with a true score, per group then per dataset
   (:func:`.stats.induced_order_metrics`). The checkpoint serves a corpus view without the test
   part (:class:`TrainingWorld`): the held-out dataset is neither a known neighbour nor a source of
   the catalog order's evidence tiers, as for a real new dataset;
3. top-10 fit (the shipped app, default filters, top 10) of covered, non-gibberish items: the
   per-description shares of listed rows whose model has records on an acceptable task (strict),
   is of a fitting modality (lenient, :data:`.facts.MODALITY_FIT`) and, for items with named
   languages, covers them (rows of models of unknown language left out and reported as a share);
   duplicates, paper-only and API-only rows per top 10; means over descriptions with bootstrap
   95% intervals. Not-covered and gibberish items: how many rows they got.
"""
from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..build.corpus import Corpus
from ..build.manifest import EVALUATION, IntegrityError, verify_manifest
from ..common.encoder import TextEncoder
from ..common.metric_names import canonical_metric
from ..common.paths import ROOT
from ..serving.inputs import InputError
from ..serving.recommender import Recommender
from .facts import MULTILINGUAL, ModelFacts, load_model_languages
from .stats import format_report, jsonable, summarise

DEFAULT_SET = ROOT / "benchmarks" / "practitioner"
PARTS = ("tune", "test")          # test: the held-out part, never tuned on
HELD_OUT_SETTING = "new_datasets"
TOP_K = 10


@dataclass(frozen=True)
class Item:
    id: str
    part: str
    description: str
    written_in: str
    tasks: tuple
    modality: str
    languages: tuple
    metrics: tuple
    not_covered: bool
    gibberish: bool
    dataset: str | None

    @property
    def covered_item(self) -> bool:
        return not self.not_covered and not self.gibberish


def load_set(folder: Path) -> list[Item]:
    """Every item of ``tune.jsonl`` and ``test.jsonl`` (FileNotFoundError / ValueError when a file
    is missing or an item malformed)."""
    items, seen = [], set()
    for part in PARTS:
        path = Path(folder) / f"{part}.jsonl"
        if not path.is_file():
            raise FileNotFoundError(f"the practitioner set file {path} is missing")
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                item = Item(str(d["id"]), part, str(d["description"]), str(d.get("written_in") or "en"),
                            tuple(d.get("tasks") or ()), str(d.get("modality") or ""),
                            tuple(d.get("languages") or ()), tuple(d.get("metrics") or ()),
                            bool(d.get("not_covered")), bool(d.get("gibberish")), d.get("dataset") or None)
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{no}: not a practitioner item ({exc})") from None
            if item.id in seen:
                raise ValueError(f"{path}:{no}: duplicate id {item.id}")
            seen.add(item.id)
            items.append(item)
    return items


def understood(query) -> dict:
    """What the app understood, today's Query or the extended one (``getattr`` defaults); None =
    the description was refused (InputError): counted as a weak answer."""
    if query is None:
        return dict(task="", modality="", languages=(), multilingual=False, metric="", confidence=math.nan,
                    confident=False, covered=True, weak=True, refused=True)
    conf = getattr(query, "confidence", math.nan)
    return dict(task=str(query.task), modality=str(getattr(query, "modality", None) or query.domain),
                languages=tuple(getattr(query, "languages", ()) or ()),
                multilingual=bool(getattr(query, "multilingual", False)), metric=str(query.metric),
                confidence=math.nan if conf is None else float(conf),
                confident=bool(getattr(query, "confident", False)), covered=bool(getattr(query, "covered", True)),
                weak=bool(getattr(query, "weak", False)), refused=False)


def judge(item: Item, u: dict) -> dict:
    """Per-item correctness (None = the measure does not apply to the item)."""
    if item.gibberish:
        task_ok = u["weak"]
    elif item.not_covered:
        task_ok = not u["covered"]
    else:
        task_ok = u["task"] in set(item.tasks)
    language_ok = None
    if item.languages and not item.gibberish:
        language_ok = u["multilingual"] if MULTILINGUAL in item.languages \
            else set(u["languages"]) == set(item.languages)
    metric_ok = None
    if item.covered_item and item.metrics:
        metric_ok = canonical_metric(u["metric"]) in {canonical_metric(m) for m in item.metrics} if u["metric"] \
            else False
    return dict(task_ok=bool(task_ok), modality_ok=None if item.gibberish else u["modality"] == item.modality,
                language_ok=language_ok, metric_ok=metric_ok, notice=not u["covered"])


class TrainingWorld(Corpus):
    """The corpus as a setting's training knows it: its records outside the test part (with the
    matching split labels) and the datasets those records name. The models and every other file
    are the corpus's own."""

    def __init__(self, base: Corpus, setting: str = HELD_OUT_SETTING):
        super().__init__(base.root)
        labels = base.split(setting)
        keep = (labels != "test").to_numpy()
        self.setting, self.labels = setting, labels[keep].reset_index(drop=True)
        self.test = base.records[~keep].reset_index(drop=True)
        known = base.datasets["dataset"].isin(set(base.records.loc[keep, "dataset"])).to_numpy()
        self.__dict__.update(records=base.records[keep].reset_index(drop=True), models=base.models,
                             datasets=base.datasets[known].reset_index(drop=True),
                             dataset_emb=base.dataset_emb[known], model_emb=base.model_emb)

    def split(self, setting: str) -> pd.Series:
        if setting != self.setting:
            raise ValueError(f"the {self.setting} training view has no '{setting}' split")
        return self.labels


def true_context(test: pd.DataFrame) -> tuple[str, str]:
    """(task, main metric) of a dataset's test records: the metric with most records (ties by
    name), and that metric's most common task."""
    by_metric = test.groupby("metric").size().reset_index(name="n").sort_values(["n", "metric"],
                                                                                  ascending=[False, True])
    metric = str(by_metric["metric"].iloc[0])
    tasks = test[test["metric"] == metric].groupby("task").size().reset_index(name="n")
    return str(tasks.sort_values(["n", "task"], ascending=[False, True])["task"].iloc[0]), metric


def heldout_row(rec: Recommender, item: Item, test: pd.DataFrame) -> dict:
    """(a) description alone and (b) with the true task and main metric, on one held-out dataset."""
    from .stats import induced_order_metrics
    task, metric = true_context(test)
    out = {"heldout_task": task, "heldout_metric": metric}
    for tag, kw in (("a", {}), ("b", {"task": task, "metric": metric})):
        table = rec.recommend(item.description, top_k=None, **kw).table
        res = induced_order_metrics(table["model"].tolist(), test, k=TOP_K)
        out.update({f"{k}_{tag}": v for k, v in res.items()})
    return out


def fit_row(facts: ModelFacts, item: Item, names: list) -> dict:
    """Per-item top-10 fit rates (covered items) or only the row count (others)."""
    f = facts.row_facts(names, item)
    rate = lambda a, b: f[a] / f[b] if f[b] else math.nan   # noqa: E731
    named = bool(item.languages) and MULTILINGUAL not in item.languages
    out = {"rows": f["rows"], "duplicates": f["duplicates"], "paper_only": f["paper_only"], "api_only": f["api_only"]}
    if not item.covered_item:
        return out
    return {**out, "task_fit": rate("task_fit", "rows"), "modality_fit": rate("modality_fit", "rows"),
            "language_fit": rate("language_fit", "language_known") if named else math.nan,
            "language_unknown": rate("language_unknown", "rows") if named else math.nan,
            "language_free_rows": 0 if item.languages else f["rows"],
            "multilingual_rows": f["rows"] if MULTILINGUAL in item.languages else 0}


def evaluate_items(items: list[Item], app: Recommender, facts: ModelFacts, heldout: Recommender | None,
                   test_records: pd.DataFrame | None, log=print) -> pd.DataFrame:
    """One row per item: labels, what was understood, correctness, fit and held-out metrics."""
    rows = []
    by_dataset = dict(tuple(test_records.groupby("dataset"))) if test_records is not None else {}
    for i, item in enumerate(items):
        try:
            ranking = app.recommend(item.description, top_k=TOP_K)
            query, names = ranking.query, ranking.table["model"].tolist()[:TOP_K]
        except InputError:
            query, names = None, []
        u = understood(query)
        row = {"id": item.id, "part": item.part, "written_in": item.written_in,
               "english": item.written_in == "en", "not_covered": item.not_covered, "gibberish": item.gibberish,
               "dataset": item.dataset or "", "task_label": "|".join(item.tasks), "task_pred": u["task"],
               "modality_label": item.modality, "modality_pred": u["modality"],
               "languages_label": "|".join(item.languages),
               "languages_pred": "|".join(u["languages"]) + ("|multilingual" if u["multilingual"] else ""),
               "metric_label": "|".join(item.metrics), "metric_pred": u["metric"],
               **{k: u[k] for k in ("confidence", "confident", "covered", "weak", "refused")},
               **judge(item, u), **fit_row(facts, item, names)}
        if item.dataset and heldout is not None:
            test = by_dataset.get(item.dataset)
            row["heldout_status"] = "not in the test part" if test is None else "ranked"
            if test is not None:
                try:
                    row.update(heldout_row(heldout, item, test))
                    if row["groups_a"] == 0:
                        row["heldout_status"] = "no group of 2+ truly scored models"
                except InputError as exc:
                    row["heldout_status"] = f"refused: {exc}"
        rows.append(row)
        if log and (i + 1) % 25 == 0:
            log(f"  [practitioner] {i + 1}/{len(items)} descriptions")
    return pd.DataFrame(rows)


class SharedEncoder:
    """The app's text encoder, shared by both recommenders: each description is encoded once (by
    the app's traced one-text path) however many rankings read it."""

    def __init__(self, encoder: TextEncoder):
        self.encoder, self._vectors = encoder, {}

    def encode_query(self, text: str) -> np.ndarray:
        if text not in self._vectors:
            self._vectors[text] = self.encoder.encode_query(text)
        return self._vectors[text].copy()

    def __getattr__(self, name):
        return getattr(self.encoder, name)


def run(items: list[Item], assets: Path, checkpoints: Path, log=print) -> tuple[pd.DataFrame, dict]:
    """Load the shipped app (as ``Recommender.load`` does) and the held-out checkpoint, evaluate
    every item; (items table, timings)."""
    times, t0 = {}, time.time()
    verify_manifest(Path(assets), part="runtime", checkpoints_dir=Path(checkpoints))
    encoder = SharedEncoder(TextEncoder())
    encoder.prepare_query_path(background=False)
    app = Recommender(Corpus(Path(assets)), Path(checkpoints), encoder=encoder)
    corpus = app.corpus
    facts = ModelFacts(corpus.records, corpus.models, load_model_languages(corpus.records, corpus.datasets))
    times["load app and facts"] = time.time() - t0
    heldout, test_records, t = None, None, time.time()
    if any(it.dataset for it in items):
        world = TrainingWorld(corpus, HELD_OUT_SETTING)
        heldout = Recommender(world, Path(checkpoints) / "eval" / HELD_OUT_SETTING, encoder=encoder)
        test_records = world.test
        times["load held-out checkpoint"] = time.time() - t
    t = time.time()
    table = evaluate_items(items, app, facts, heldout, test_records, log=log)
    times["evaluate descriptions"] = time.time() - t
    times["total"] = time.time() - t0
    return table, times


def items_csv_path(write: str | Path) -> Path:
    """``practitioner.md`` -> ``practitioner_items.csv`` (``practitioner_before.md`` ->
    ``practitioner_items_before.csv``); another name gets ``_items.csv``."""
    p = Path(write)
    stem = p.stem.replace("practitioner", "practitioner_items", 1) if "practitioner" in p.stem else p.stem + "_items"
    return p.with_name(stem + ".csv")


def _check_files(folder: Path, assets: Path, checkpoints: Path) -> list[Item]:
    items = load_set(folder)
    for need in (assets / "corpus" / "records.parquet", checkpoints / "config.json"):
        if not need.is_file():
            raise FileNotFoundError(f"{need} is missing")
    if any(it.dataset for it in items):
        ck = checkpoints / "eval" / HELD_OUT_SETTING / "config.json"
        if not ck.is_file():
            raise FileNotFoundError(f"{ck} is missing (the new-datasets evaluation checkpoint)")
        verify_manifest(assets, part=EVALUATION, checkpoints_dir=checkpoints)
    return items


def cli(args) -> int:
    folder = Path(getattr(args, "practitioner_set", None) or DEFAULT_SET)
    assets, checkpoints = Path(args.assets), Path(args.checkpoints)
    log = (lambda *_: None) if getattr(args, "json", False) else print
    try:
        items = _check_files(folder, assets, checkpoints)
        table, times = run(items, assets, checkpoints, log=log)
    except (FileNotFoundError, ValueError, IntegrityError) as exc:
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    summary = summarise(table)
    write = getattr(args, "write", None)
    csv = items_csv_path(write) if write else None
    text = format_report(summary, times, folder, csv, write)
    if getattr(args, "json", False):
        print(json.dumps(jsonable(summary), indent=1))
    else:
        print(text)
    if write:
        Path(write).parent.mkdir(parents=True, exist_ok=True)
        Path(write).write_text(text)
        table.to_csv(csv, index=False, float_format="%.4f")
        log(f"wrote {write} and {csv}")
    return 0
