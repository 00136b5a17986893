"""Query understanding: from a description (and the user's explicit choices) to a :class:`Query`.

The description is encoded once (cached: the app and repeated queries ask again); its nearest
known datasets by description similarity give the neighbours shown as evidence, a match when one
is the same dataset (its name, or cosine >= ``MATCH_SIMILARITY``), and the task when none is
chosen: the neighbours' similarity-weighted vote plus the description's similarity to each
task's own name. The metric is the user's, else the main metric of the nearest dataset of the
task. Unknown choices are reported and inferred instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..build.canonical import match_key
from ..common.metric_names import canonical_metric
from ..common.tasks import task_domain
from .inputs import MAX_SUBSET_CHARS, InputError, choice, clean_text, shown

N_NEIGHBOURS = 5               # nearest known datasets shown as evidence (the ranker's evidence input has its own k)
TASK_TEXT_WEIGHT = 2.0         # task inference: neighbours' vote share + this x similarity to the task's name
MATCH_SIMILARITY = 0.85        # cosine above which the nearest known dataset counts as a match
QUERY_CACHE = 256              # encoded descriptions kept


@dataclass
class Query:
    description: str
    task: str
    metric: str
    domain: str
    task_inferred: bool
    metric_inferred: bool
    neighbours: pd.DataFrame   # dataset, name, task, similarity of the nearest known datasets
    match: str | None          # a known dataset the description matches, if any
    notices: list
    subset: str = ""           # languages / config of the evaluation; "" = none
    vector: np.ndarray = field(default=None, repr=False)   # [text_dim] the encoded description

    @property
    def neighbour_records(self) -> list[dict]:
        nb = self.neighbours
        return [dict(zip(nb.columns, row)) for row in zip(*(nb[c].tolist() for c in nb.columns))]


class QueryReader:
    def __init__(self, encoder, datasets: pd.DataFrame, dataset_emb: np.ndarray, records: pd.DataFrame,
                 known_subset):
        """``known_subset(text) -> bool``: whether any token of a subset is known to the ranker."""
        self.encoder, self.dataset_emb, self.known_subset = encoder, dataset_emb, known_subset
        self._encode = lru_cache(maxsize=QUERY_CACHE)(encoder.encode_query)
        self.ds_arrays = {c: datasets[c].to_numpy(object) for c in ("dataset", "name", "task")}
        main = records.groupby(["dataset", "metric"]).size().reset_index().sort_values(0, ascending=False)
        self.dataset_metric = main.drop_duplicates("dataset").set_index("dataset")["metric"]
        self.known_tasks = sorted(set(records["task"].unique()))
        self.known_metrics = sorted(set(records["metric"].unique()))
        # every task name (known from records or only from the dataset catalog), sorted; the position
        # of each known task and the task code of each dataset (task inference in numpy)
        self.task_names = np.array(sorted(set(self.known_tasks) | set(datasets["task"].astype(str))), object)
        pos = {t: i for i, t in enumerate(self.task_names)}
        self.known_task_pos = np.array([pos[t] for t in self.known_tasks], np.int64)
        self.dataset_task_code = np.array([pos[t] for t in datasets["task"].astype(str)], np.int64)
        self.task_emb = encoder.encode([t.replace("-", " ") for t in self.known_tasks])   # also loads the encoder now
        self.ds_key = {match_key(n): i for i, n in enumerate(datasets["dataset"])}
        for i, n in enumerate(datasets["name"]):
            self.ds_key.setdefault(match_key(n), i)

    def understand(self, description, task=None, metric=None, subset=None) -> Query:
        """The :class:`Query` of a description; ``task``/``metric`` as the user wrote them (None: infer)."""
        text, notices = clean_text(description)
        (task_asked, task), (metric_asked, metric) = ((v, choice(v)) for v in (task, metric))
        subset_text = self._subset(subset, notices)
        if not text:
            raise InputError("Please describe your dataset: what the inputs are, what is predicted, the domain and "
                             "language (e.g. 'English product reviews labelled positive or negative').")
        q = self._encode(text).copy()
        sims = self.dataset_emb @ q
        top = np.argsort(-sims, kind="stable")[:N_NEIGHBOURS * 3]   # numpy, not pandas: ~5 ms less per query
        key = match_key(text)
        match = self.ds_arrays["dataset"][self.ds_key[key]] if key in self.ds_key else \
            (self.ds_arrays["dataset"][top[0]] if sims[top[0]] >= MATCH_SIMILARITY else None)
        if task and task not in self.known_tasks:
            notices.append(f"Unknown task '{shown(task_asked)}': inferred the task from the description instead.")
            task = None
        if metric:
            metric = canonical_metric(metric)
            if metric not in self.known_metrics:
                notices.append(f"Unknown metric '{shown(metric_asked)}': inferred the metric from the description instead.")
                metric = None
        task_out = task or self._infer_task(top, sims, q)
        if metric:
            metric_out = metric
        else:
            same = top[self.ds_arrays["task"][top] == task_out]
            metric_out = self.dataset_metric.get(self.ds_arrays["dataset"][same[0]], "accuracy") if len(same) \
                else "accuracy"
        near = top[:N_NEIGHBOURS]
        nb = pd.DataFrame({c: v[near] for c, v in self.ds_arrays.items()}).assign(similarity=sims[near])
        return Query(text, task_out, metric_out, task_domain(task_out), task is None, metric is None,
                     nb, match, notices, subset_text, q)

    def _subset(self, subset, notices: list) -> str:
        """The subset as the ranker reads it ("" when none, or when none of its tokens is known)."""
        text = clean_text(subset or "", MAX_SUBSET_CHARS)[0] if subset is not None else ""
        if text and not self.known_subset(text):
            notices.append(f"No language or subset token of '{shown(text)}' appears in the training data: "
                           "ranked as if no subset was given.")
            return ""
        return text

    def _infer_task(self, top: np.ndarray, sims: np.ndarray, q: np.ndarray) -> str:
        """The nearest datasets' (positions ``top``, cosines ``sims``) similarity-weighted vote
        share, plus the description's cosine to each task's own name ("automatic speech
        recognition"): benchmarks described only by a template still pull their task in."""
        w = np.maximum(sims[top], 0) ** 4
        score = np.zeros(len(self.task_names))
        score[self.known_task_pos] = TASK_TEXT_WEIGHT * (self.task_emb @ q)
        np.add.at(score, self.dataset_task_code[top], w / max(w.sum(), 1e-12))
        return str(self.task_names[int(np.argmax(score))])
