"""The inference engine used by the app, the CLI and the Python API.

``Recommender.load()`` verifies the shipped files against ``assets/manifest.json``, loads the
catalog and the checkpoint, and precomputes for every catalog model the model-side part of the
first layer, its cross vector and its prior per task domain. A query then encodes the
description once, computes the context part, and runs the remaining layers over all
candidates (:meth:`Recommender.rank`, in cache-sized chunks). Filters read numpy copies of the
catalog columns, the table is built for the rows returned only, and evidence for the first
``EVIDENCE_ROWS`` rows only: ranking the ~95k-model catalog takes a few tens of milliseconds
on one CPU core (``benchmarks/speed.py``).
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..build.canonical import match_key
from ..build.catalog import size_bucket
from ..build.corpus import Corpus
from ..common.paths import ASSETS, CHECKPOINTS
from ..common.encoder import TextEncoder
from ..ranker.evidence import NeighbourEvidence
from ..ranker.features import context_features, model_features
from ..build.manifest import verify_manifest
from ..common.metric_names import canonical_metric
from ..common.tasks import DOMAINS, TASK_DOMAIN, task_domain
from ..ranker.train import EVIDENCE, NAME_TOKENS, load_checkpoint, training_evidence
from ..ranker.vocab import catalog_name_tokens

MAX_DESCRIPTION_CHARS = 4000   # longer text is truncated (the encoder reads ~128 word pieces anyway)
MAX_CANDIDATES = 20000
MAX_SUBSET_CHARS = 200         # a subset is a short tag ("hin_Deva-eng_Latn", "fr", "5-shot")
EVIDENCE_ROWS = 100            # evidence strings are written for the first rows only
N_NEIGHBOURS = 5               # nearest known datasets used for inference and evidence
BROAD_EVIDENCE = 2             # datasets of the query's task a model needs for the top evidence tier
EVALUATED_FIRST = 1e6          # added to the sort key of evaluated models in catalog-wide rankings
TASK_TEXT_WEIGHT = 2.0         # task inference: neighbours' vote share + this x similarity to the task's name
MATCH_SIMILARITY = 0.85        # cosine above which the nearest known dataset counts as a match
UNKNOWN_MODEL_DESCRIPTION = "A machine-learning model."  # the description view of a name outside the catalog
BIG_TABLE = 2000               # tables longer than this take their descriptive columns from Arrow, not numpy
HEAD_CHUNK = 4096              # rows per pass of the layers after the first: fits in cache (~3x faster than one batch)
QUERY_CACHE = 256              # encoded descriptions kept (the UI understands a query twice; repeats are common)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InputError(ValueError):
    """Bad user input; the message is shown to the user as is."""


def clean_text(text, limit: int = MAX_DESCRIPTION_CHARS) -> tuple[str, list[str]]:
    """Printable, valid UTF-8 text of at most ``limit`` characters, and notices for the user."""
    notices = []
    s = "" if text is None else str(text)
    s = s.encode("utf-8", "replace").decode("utf-8")          # lone surrogates -> '?'
    s = unicodedata.normalize("NFC", _CONTROL.sub(" ", s)).strip()
    if len(s) > limit:
        notices.append(f"The description was {len(s):,} characters long; only the first {limit:,} were used.")
        s = s[:limit]
    return s, notices


@dataclass
class Query:
    description: str
    task: str
    metric: str
    domain: str
    task_inferred: bool
    metric_inferred: bool
    neighbours: pd.DataFrame   # dataset, similarity, task, name
    match: str | None          # a known dataset the description matches, if any
    notices: list
    subset: str = ""           # languages / config of the evaluation ("hin_Deva-eng_Latn", "fr"); "" = none

    @property
    def neighbour_records(self) -> list[dict]:
        """The neighbours as a list of row dicts (what ``table.attrs["neighbours"]`` holds)."""
        nb = self.neighbours
        return [dict(zip(nb.columns, row)) for row in zip(*(nb[c].tolist() for c in nb.columns))]


class Recommender:
    def __init__(self, corpus: Corpus, checkpoint_dir: Path, encoder: TextEncoder | None = None):
        self.corpus = corpus
        self.model, self.vocab, self.meta = load_checkpoint(checkpoint_dir)
        self.checkpoint_dir = Path(checkpoint_dir)
        self.cfg = self.model.cfg
        self.encoder = encoder or TextEncoder()
        self.catalog = corpus.models.reset_index(drop=True)
        self.datasets = corpus.datasets.reset_index(drop=True)
        self.dataset_emb = corpus.dataset_emb
        self._precompute()
        self.tier_shortcut = True  # skip models that cannot reach a catalog-wide top k (exact; see rank)
        self._encode = lru_cache(maxsize=QUERY_CACHE)(self.encoder.encode_query)
        # the task names as text (this also loads the encoder now, not on the first query)
        self.task_emb = self.encoder.encode([t.replace("-", " ") for t in self.known_tasks])
        self._unknown_desc = self.encoder.encode([UNKNOWN_MODEL_DESCRIPTION])[0]  # names outside the catalog
        self.tau = float(self.model.tau.detach())

    @classmethod
    def load(cls, assets: Path | None = None, checkpoint: Path | None = None, verify: bool = True) -> "Recommender":
        assets = Path(assets or ASSETS)
        if verify:
            verify_manifest(assets)
        return cls(Corpus(assets), Path(checkpoint or CHECKPOINTS))

    # --- load-time precomputation ---------------------------------------------------------
    @torch.no_grad()
    def _precompute(self) -> None:
        cat = self.catalog
        names = cat["model"].tolist()
        tokens = catalog_name_tokens(self.checkpoint_dir / NAME_TOKENS, names, self.cfg.name_buckets)
        feats = model_features(self.vocab, names, self.corpus.model_emb, cat["params_b"], cat["family"],
                               self.cfg.name_buckets, tokens)
        self.first_m, self.cross_m, self.prior_m = self._model_side(feats)
        self.seen = feats["mid"].numpy() > 0
        self.params = cat["params_b"].to_numpy(np.float64)
        self.index = {m: i for i, m in enumerate(cat["model"])}
        self.lower_index = {m.lower(): i for i, m in enumerate(cat["model"])}
        self.key_index: dict[str, int] = {}
        for i, (m, aliases) in enumerate(zip(cat["model"], cat["aliases"])):
            for a in [m, *list(aliases)]:
                self.lower_index.setdefault(str(a).lower(), i)
                self.key_index.setdefault(match_key(str(a).split("/")[-1]), i)
        rec = self.corpus.records
        # the evidence input: scores on the known datasets nearest a query (from the training records)
        saved = self.checkpoint_dir / EVIDENCE
        self.evidence = (NeighbourEvidence.load(saved, self.dataset_emb) if saved.exists() else None) or \
            training_evidence(self.corpus, self.corpus.split(self.cfg.setting), self.cfg)
        self.dataset_row = {d: i for i, d in enumerate(self.datasets["dataset"])}
        self.records_by_dataset = rec.groupby("dataset").indices
        main_metric = rec.groupby(["dataset", "metric"]).size().reset_index().sort_values(0, ascending=False)
        self.dataset_metric = main_metric.drop_duplicates("dataset").set_index("dataset")["metric"]
        self.known_tasks = sorted(set(rec["task"].unique()))
        self.known_metrics = sorted(set(rec["metric"].unique()))
        # task inference in numpy: every task name (known from records or only from the dataset
        # catalog), sorted; the position of each known task and the task code of each dataset
        self.task_names = np.array(sorted(set(self.known_tasks) | set(self.datasets["task"].astype(str))), object)
        task_pos = {t: i for i, t in enumerate(self.task_names)}
        self.known_task_pos = np.array([task_pos[t] for t in self.known_tasks], np.int64)
        self.dataset_task_code = np.array([task_pos[t] for t in self.datasets["task"].astype(str)], np.int64)
        self.ds_key = {match_key(n): i for i, n in enumerate(self.datasets["dataset"])}
        for i, n in enumerate(self.datasets["name"]):
            self.ds_key.setdefault(match_key(n), i)
        # numpy copies of what a query reads (pandas indexing of 95k rows costs tens of ms per query)
        self.names = cat["model"].to_numpy(object)
        # which catalog models have records on each task / task domain (evidence tiers)
        row_of = pd.Series(np.arange(len(cat)), index=cat["model"])
        pairs = self.corpus.records.groupby(["model", "task"], observed=True)["dataset"].nunique().reset_index()
        pairs = pairs.assign(row=row_of.reindex(pairs["model"]).to_numpy(), domain=pairs["task"].map(task_domain))
        pairs = pairs.dropna(subset=["row"])
        self.task_members, self.broad_members, self.domain_members = {}, {}, {}
        for col, members, part_of in (("task", self.task_members, pairs),
                                      ("task", self.broad_members, pairs[pairs["dataset"] >= BROAD_EVIDENCE]),
                                      ("domain", self.domain_members, pairs)):
            for key, part in part_of.groupby(col):
                mask = np.zeros(len(cat), bool)
                mask[part["row"].astype(np.int64).to_numpy()] = True
                members[key] = mask
        self.name_rank = np.empty(len(cat), np.int64)          # position in name order: the tie-break
        self.name_rank[np.argsort(self.names, kind="stable")] = np.arange(len(cat))
        self.family_code, fam_values = pd.factorize(cat["family"].astype(str).str.lower())
        self.family_ids = {f: i for i, f in enumerate(fam_values)}
        self.modality_code, mod_values = pd.factorize(cat["modality"].astype(str))
        self.modality_ids = {m: i for i, m in enumerate(mod_values)}
        self.modalities = sorted(self.modality_ids)             # the catalog's modalities (the UI's choices)
        self.open_weights = cat["open_weights"].fillna(False).astype(bool).to_numpy()
        self.availability_known = cat["open_weights"].notna().to_numpy()
        self.has_records = cat["n_records"].to_numpy() > 0
        self.ds_arrays = {c: self.datasets[c].to_numpy(object) for c in ("dataset", "name", "task")}
        self.out_columns = cat[_CATALOG_COLUMNS]
        self.out_arrays = {c: cat[c].to_numpy(np.float64 if c == "params_b" else np.int64 if c == "n_records"
                                              else object) for c in _CATALOG_COLUMNS}  # what a table row shows
        self.record_row = pd.Index(cat["model"]).get_indexer(rec["model"])  # catalog row of each record (-1: none)
        self.evidence_records = _one_chunk(rec[["model", "dataset", "subset", "metric", "score", "z"]])

    @torch.no_grad()
    def _model_side(self, feats: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = self.model
        first, cross = m.model_part(m.model_view(feats))
        n, D = len(feats["mid"]), len(DOMAINS)
        prior = m.prior(feats["size"][:, None].expand(n, D), feats["family"][:, None].expand(n, D),
                        torch.arange(D)[None, :].expand(n, D), feats["logp"][:, None, :].expand(n, D, -1))
        return first.numpy(), cross.numpy(), prior.numpy()

    # --- query understanding ----------------------------------------------------------------
    def understand(self, description, task=None, metric=None, subset=None) -> tuple[Query, np.ndarray]:
        text, notices = clean_text(description)
        subset_text = self._subset(subset, notices)
        if not text:
            raise InputError("Please describe your dataset: what the inputs are, what is predicted, the domain and "
                             "language (e.g. 'English product reviews labelled positive or negative').")
        q = self._encode(text).copy()
        sims = self.dataset_emb @ q
        top = np.argsort(-sims, kind="stable")[:N_NEIGHBOURS * 3]   # numpy, not pandas: ~5 ms less per query
        match = None
        key = match_key(text)
        if key in self.ds_key:
            match = self.ds_arrays["dataset"][self.ds_key[key]]
        elif sims[top[0]] >= MATCH_SIMILARITY:
            match = self.ds_arrays["dataset"][top[0]]
        task_in, metric_in = self._normalise_choice(task), self._normalise_choice(metric)
        if task_in and task_in not in self.known_tasks:
            notices.append(f"Unknown task '{_shown(task)}': inferred the task from the description instead.")
            task_in = None
        if metric_in:
            metric_in = canonical_metric(metric_in)
            if metric_in not in self.known_metrics:
                notices.append(f"Unknown metric '{_shown(metric)}': inferred the metric from the description "
                               "instead.")
                metric_in = None
        task_out = task_in or self._infer_task(top, sims, q)
        if metric_in:
            metric_out = metric_in
        else:
            same = top[self.ds_arrays["task"][top] == task_out]
            metric_out = self.dataset_metric.get(self.ds_arrays["dataset"][same[0]], "accuracy") if len(same) \
                else "accuracy"
        near = top[:N_NEIGHBOURS]
        nb = pd.DataFrame({c: v[near] for c, v in self.ds_arrays.items()}).assign(similarity=sims[near])
        query = Query(text, task_out, metric_out, task_domain(task_out), task_in is None, metric_in is None,
                      nb, match, notices, subset_text)
        return query, q

    def _subset(self, subset, notices: list) -> str:
        """The subset as the ranker reads it ("" when none, or when none of its tokens is known)."""
        text = clean_text(subset or "", MAX_SUBSET_CHARS)[0] if subset is not None else ""
        if text and not self.vocab.subset_idx([text]).any():
            notices.append(f"No language or subset token of '{_shown(text)}' appears in the training data: "
                           "ranked as if no subset was given.")
            return ""
        return text

    def _evidence_tier(self, query: Query, rows: np.ndarray) -> np.ndarray:
        """3: evaluated on the query's task on >= ``BROAD_EVIDENCE`` datasets; 2: on one dataset of
        it (often a single result from a paper); 1: evaluated in its task domain; 0: otherwise."""
        tier = np.zeros(len(rows))
        if query.domain in self.domain_members:
            tier += self.domain_members[query.domain][rows]
        if query.task in self.task_members:
            tier += self.task_members[query.task][rows]
            if query.task in self.broad_members:
                tier += self.broad_members[query.task][rows]
        return tier

    def rank_level(self, query: Query, rows: np.ndarray) -> np.ndarray:
        """The catalog-wide ordering level of catalog ``rows``: 2 x evidence tier, plus 1 for a
        model whose availability is known (released weights or an API) over a research system
        known only from a paper's results table. Higher levels rank first; then the score."""
        return 2 * self._evidence_tier(query, rows) + self.availability_known[rows]

    def _infer_task(self, top: np.ndarray, sims: np.ndarray, q: np.ndarray) -> str:
        """The nearest datasets' (catalog positions ``top``, cosines ``sims``) similarity-weighted
        vote share, plus the description's cosine to each task's own name ("automatic speech
        recognition"): benchmarks described only by a template still pull their task in."""
        w = np.maximum(sims[top], 0) ** 4
        score = np.zeros(len(self.task_names))
        score[self.known_task_pos] = TASK_TEXT_WEIGHT * (self.task_emb @ q)
        np.add.at(score, self.dataset_task_code[top], w / max(w.sum(), 1e-12))
        return str(self.task_names[int(np.argmax(score))])

    @staticmethod
    def _normalise_choice(value) -> str | None:
        if value is None:
            return None
        s = str(value).strip().lower()
        if not s or s.startswith("infer") or s in ("auto", "none"):
            return None
        return re.sub(r"[\s_]+", "-", s)

    # --- candidates -----------------------------------------------------------------------
    def resolve(self, names) -> tuple[list[int], list[str], list[str]]:
        """Catalog rows for known names (any spelling the catalog knows), the unknown names, and
        notices (duplicates, truncation)."""
        notices, rows, unknown, seen_rows, seen_unknown = [], [], [], set(), set()
        clean = [clean_text(n, 300)[0] for n in names if clean_text(n, 300)[0]]
        if len(clean) > MAX_CANDIDATES:
            notices.append(f"{len(clean):,} candidates given; only the first {MAX_CANDIDATES:,} were ranked.")
            clean = clean[:MAX_CANDIDATES]
        dups = 0
        for n in clean:
            i = self.index.get(n)
            if i is None:
                i = self.lower_index.get(n.lower())
            if i is None:
                i = self.key_index.get(match_key(n.split("/")[-1]))
            if i is None:
                if n.lower() in seen_unknown:
                    dups += 1
                else:
                    seen_unknown.add(n.lower())
                    unknown.append(n)
            elif i in seen_rows:
                dups += 1
            else:
                seen_rows.add(i)
                rows.append(i)
        if dups:
            notices.append(f"{dups} duplicate candidate name(s) were ranked once.")
        if unknown:
            notices.append(f"{len(unknown)} candidate(s) are not in the catalog and were ranked from their name "
                           f"alone (flagged unseen): " + ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else ""))
        return rows, unknown, notices

    def _unknown_side(self, names: list[str]):
        from ..build.ingest.family_guess import guess_family, params_from_name
        params = np.array([params_from_name(n) or np.nan for n in names], dtype=np.float64)
        fam = [guess_family(n) or "" for n in names]
        desc = np.repeat(self._unknown_desc[None, :], len(names), axis=0)
        feats = model_features(self.vocab, names, desc, params, fam, self.cfg.name_buckets)
        feats["mid"][:] = 0  # never seen, whatever the name
        first, cross, prior = self._model_side(feats)
        return first, cross, prior, params, fam

    # --- ranking ------------------------------------------------------------------------
    @torch.no_grad()
    def context_part(self, query: Query, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        did = [query.match] if query.match else ["[UNK]"]
        ctx = context_features(self.vocab, did, q[None, :], [query.task], [query.metric], [query.subset])
        first, cross = self.model.context_part(self.model.context_view(ctx))
        return first.numpy()[0], cross.numpy()[0]

    def evidence_context(self, query: Query, q: np.ndarray) -> tuple:
        """(neighbour rows [k], weights [k], top similarity, subset code, task code, family code) of
        the query: the known datasets nearest the description, the matched dataset's own family left
        out as in training (see :mod:`evidence`)."""
        ev = self.evidence
        row = self.dataset_row.get(query.match, -1) if query.match else -1
        family = int(ev.dataset_family[row]) if row >= 0 else -1
        nbr, w, top = ev.neighbours(q[None, :], np.array([family]))
        return nbr[0], w[0], float(top[0]), ev.subset_code(query.subset), ev.task_codes.get(query.task, -1), family

    def query_evidence(self, query: Query, q: np.ndarray, by_pairs: bool = False, rows=None) -> np.ndarray:
        """Evidence [n_catalog (or len(rows)), EVIDENCE_DIM] of the catalog models for the query:
        their scores on the known datasets nearest the description, on the query's subset there,
        and over the query's task. ``by_pairs`` takes training's per-pair lookups instead of the
        one-query scatter (same numbers; slower)."""
        nbr, w, top, subset, task, family = ctx = self.evidence_context(query, q)
        if by_pairs:
            m = np.arange(len(self.catalog)) if rows is None else np.asarray(rows)
            n = len(m)
            return self.evidence.pairs(m, np.repeat(nbr[None], n, 0), np.repeat(w[None], n, 0), np.full(n, top),
                                       np.full(n, subset), np.full(n, task), np.full(n, family))
        return self.evidence.catalog(len(self.catalog), *ctx, rows=rows)

    @torch.no_grad()
    def heads(self, first_m: np.ndarray, cross_m: np.ndarray, first_c: np.ndarray, cross_c: np.ndarray,
              evidence: np.ndarray, rows: np.ndarray | None = None):
        """Residual and predicted z (the layers after the first), float32 [N] each, for the N
        rows of ``first_m``/``cross_m``, or for their rows ``rows`` when given (``evidence`` is
        aligned with the output: [N] or [len(rows)]). Rows go through in chunks of ``HEAD_CHUNK``
        (gathered chunk by chunk) so the activations stay in cache. The evidence's top similarity is one number per query, folded into the context
        part; its other entries are zero for most of the catalog (models with no records near the
        query or in its task), so their first-layer and direct terms are added for the others only."""
        n = len(first_m) if rows is None else len(rows)
        res, z = np.empty(n, np.float32), np.empty(n, np.float32)
        w_e = self.model.first_e.weight.numpy()                      # [h0, EVIDENCE_DIM]
        top = float(evidence[0, -1]) if len(evidence) else 0.0
        fc = torch.from_numpy(first_c + top * w_e[:, -1])
        cc = torch.from_numpy(cross_c)[None]
        zero = torch.zeros((1, len(first_c)), dtype=fc.dtype)
        for s in range(0, n, HEAD_CHUNK):
            part = slice(s, s + HEAD_CHUNK) if rows is None else rows[s:s + HEAD_CHUNK]
            h = torch.from_numpy(first_m[part]) + fc
            ev = evidence[s:s + HEAD_CHUNK]
            some = np.flatnonzero(ev[:, :-1].any(1))
            if len(some):
                h[some] += torch.from_numpy(ev[some, :-1] @ w_e[:, :-1].T)
            r, zz = self.model.heads(h, torch.from_numpy(cross_m[part]), zero, cc)
            if len(some):
                r[some] += self.model.evidence_direct(torch.from_numpy(ev[some]))
            res[s:s + HEAD_CHUNK], z[s:s + HEAD_CHUNK] = r.numpy(), zz.numpy()
        return res, z

    def recommend(self, description, task=None, metric=None, candidates=None, top_k=None, *,
                  max_params_b=None, min_params_b=None, include_unknown_size: bool = True,
                  families=None, modalities=None, open_weights_only: bool = False,
                  with_records_only: bool = False, features=None, fusion_weight: float = 0.5,
                  subset=None) -> pd.DataFrame:
        """Rank models for a dataset description; a DataFrame sorted best first. ``subset``
        (optional) names the languages or configuration evaluated, e.g. "hin_Deva-eng_Latn",
        "fr" or "5-shot", in the spelling of leaderboard subsets.

        Columns: rank, model, score (higher = better), prior, residual, predicted_z (predicted
        within-group z: relative performance), params_b (billions), family, modality,
        size_bucket, seen (trained on records of this model), in_catalog, n_records,
        evidence_tier (3: scored on >= 2 datasets of the query's task, 2: on one, 1: in its domain,
        0: none; 0 for a candidate list), rank_level (2 x evidence_tier + 1 if the model's
        availability is known: the catalog-wide order is rank_level, then score), observed (score
        on a matching known dataset), evidence (nearest known datasets it was scored on).
        ``table.attrs`` holds the inferred task/metric, the neighbours and notices.
        """
        if features is not None:  # feature-augmented: the uploaded models are the pool (see transfer_rank)
            from .feature_ranking import feature_augmented_ranking
            return feature_augmented_ranking(self, description, features, fusion_weight, task=task, metric=metric)
        lo, hi = _bounds(min_params_b, max_params_b)   # refused before the (slower) text encoding
        query, q = self.understand(description, task, metric, subset)
        return self.rank(query, q, candidates, top_k, min_params_b=lo, max_params_b=hi,
                         include_unknown_size=include_unknown_size, families=families, modalities=modalities,
                         open_weights_only=open_weights_only, with_records_only=with_records_only)

    def rank(self, query: Query, q: np.ndarray, candidates=None, top_k=None, *, max_params_b=None,
             min_params_b=None, include_unknown_size: bool = True, families=None, modalities=None,
             open_weights_only: bool = False, with_records_only: bool = False) -> pd.DataFrame:
        """:meth:`recommend` for an understood query (``understand`` gives ``query`` and the
        description vector ``q``): the engine alone, without the text encoder."""
        lo, hi = _bounds(min_params_b, max_params_b)
        top_k = _top_k(top_k)
        notices = list(query.notices)
        if candidates is not None:
            names = [candidates] if isinstance(candidates, str) else list(candidates)
            rows, unknown, more = self.resolve(names)
            notices += more
            if not rows and not unknown:
                raise InputError("The candidate list is empty: give one model name per line, or leave it empty to "
                                 "rank the whole catalog.")
            rows = np.asarray(rows, dtype=np.int64)
        else:
            rows, unknown = np.arange(len(self.catalog)), []
        keep = self._keep(rows, lo, hi, include_unknown_size, families, modalities, open_weights_only,
                          with_records_only)
        whole = candidates is None and bool(keep.all())   # every catalog row in catalog order: no gather needed
        rows = rows[keep]
        # Catalog-wide, models with evaluation records come first (see rank_level): a never-evaluated
        # Hub model is ranked from its name and metadata alone, which must not outrank evidence, and
        # within an evidence tier a model one can obtain comes before a system known only from a
        # paper's table (a candidate list ranks everything together, as asked). The levels are known
        # before any scoring, so when the top levels alone hold top_k models, the rest cannot enter
        # the top k and are not scored: an exact shortcut (the same table as scoring everything).
        level = np.zeros(len(rows)) if candidates is not None else self.rank_level(query, rows)
        tier = level // 2
        if candidates is None and top_k is not None and self.tier_shortcut:
            from_top = np.bincount(level.astype(np.int64), minlength=8)[::-1].cumsum()   # models at >= each level
            enough = np.flatnonzero(from_top >= top_k)
            if len(enough) and enough[0] < len(from_top) - 1:
                sel = level >= len(from_top) - 1 - enough[0]
                rows, tier, level, whole = rows[sel], tier[sel], level[sel], False
        dom = DOMAINS.index(query.domain)
        prior, seen = self.prior_m[rows, dom], self.seen[rows]
        extra = f_u = c_u = None
        if unknown:
            f_u, c_u, p_u, params_u, fam_u = self._unknown_side(unknown)
            extra = pd.DataFrame({"model": unknown, "params_b": params_u, "family": fam_u, "modality": "unknown",
                                  "size_bucket": size_bucket(pd.Series(params_u)).to_numpy(), "open_weights": pd.NA,
                                  "n_records": 0, "in_catalog": False})
            ok = self._filter(extra, lo, hi, include_unknown_size, families, None, open_weights_only, False) \
                if (lo is not None or hi is not None or not include_unknown_size or families) else np.ones(len(extra), bool)
            extra, f_u, c_u = extra[ok].reset_index(drop=True), f_u[ok], c_u[ok]
            prior = np.concatenate([prior, p_u[ok, dom]])
            seen = np.concatenate([seen, np.zeros(int(ok.sum()), bool)])
        attrs = {"task": query.task, "metric": query.metric, "domain": query.domain,
                 "task_inferred": query.task_inferred, "metric_inferred": query.metric_inferred,
                 "match": query.match, "subset": query.subset, "neighbours": query.neighbour_records,
                 "notices": notices}
        if len(prior) == 0:
            attrs["notices"] = notices + ["No model satisfies these filters: widen the size range, allow unknown "
                                          "sizes, or clear the family/modality filters."]
            out = _empty_table()
            out.attrs.update(attrs)
            return out
        first_c, cross_c = self.context_part(query, q)
        ev_ctx = self.evidence_context(query, q)
        ev = self.evidence.catalog(len(self.catalog), *ev_ctx, rows=None if whole else rows)
        residual, z = self.heads(self.first_m, self.cross_m, first_c, cross_c, ev, None if whole else rows)
        if extra is not None:   # names outside the catalog have no records: only the neighbourhood's similarity
            ev_u = np.zeros((len(f_u), ev.shape[1]), np.float32)
            ev_u[:, -1] = ev_ctx[2]
            r_u, z_u = self.heads(f_u, c_u, first_c, cross_c, ev_u)
            residual, z = np.concatenate([residual, r_u]), np.concatenate([z, z_u])
        if self.cfg.unseen_residual_scale != 1.0:  # see ModelLens.combine: the residual column is what counts
            residual = np.where(seen, residual, residual * np.float32(self.cfg.unseen_residual_scale))
        score = (prior + residual) / self.tau
        k = len(score) if top_k is None else min(max(1, top_k), len(score))
        if extra is not None:
            tier, level = np.concatenate([tier, np.zeros(len(extra))]), np.concatenate([level, np.zeros(len(extra))])
        key = score + EVALUATED_FIRST * level
        order = self._order(key, rows, extra, k)
        # the table is built once from column arrays: inserting columns into a DataFrame one by one
        # costs more than the whole scoring (pandas re-concatenates its Arrow column labels)
        cols = self._rows_columns(rows, extra, order)
        observed, evidence = self._evidence(cols["model"], query)
        cols.update(rank=np.arange(1, len(order) + 1), score=score[order], prior=prior[order],
                    residual=residual[order], predicted_z=z[order], seen=seen[order],
                    evidence_tier=tier[order].astype(np.int64), rank_level=level[order].astype(np.int64),
                    # sorted by (rank_level, score), both descending
                    observed=observed, evidence=evidence)
        table = pd.DataFrame({c: cols[c] for c in _COLUMNS})
        table.attrs.update(attrs)
        return table

    def _order(self, score: np.ndarray, rows: np.ndarray, extra: pd.DataFrame | None, k: int) -> np.ndarray:
        """Positions of the best ``k`` candidates, best first; ties broken by model name.
        Only the candidates scoring at least the k-th best score are sorted (ties included)."""
        if k < len(score):
            cut = np.partition(score, len(score) - k)[len(score) - k]
            top = np.flatnonzero(score >= cut)
        else:
            top = np.arange(len(score))
        if extra is None:  # catalog rows only: the name order is precomputed (string sorts cost ~50 ms on 95k)
            names = self.name_rank[rows[top]]
        else:
            names = np.concatenate([self.names[rows], extra["model"].to_numpy(object)])[top]
        return top[np.lexsort((names, -score[top]))][:k]

    def _rows_columns(self, rows: np.ndarray, extra: pd.DataFrame | None, order: np.ndarray) -> dict:
        """Descriptive columns (``_CATALOG_COLUMNS`` and in_catalog) of the candidates at positions
        ``order`` (catalog rows first, then ``extra``), as arrays."""
        n = len(rows)
        if extra is None and len(order) > BIG_TABLE:  # e.g. the whole catalog: Arrow takes, no string copies
            part = self.out_columns.iloc[rows[order]]
            return {**{c: part[c].array for c in _CATALOG_COLUMNS}, "in_catalog": np.ones(len(order), bool)}
        in_cat = order < n
        cols = {}
        for c in _CATALOG_COLUMNS:
            src = self.out_arrays[c]
            col = np.empty(len(order), dtype=src.dtype)
            col[in_cat] = src[rows[order[in_cat]]]
            if extra is not None:
                col[~in_cat] = extra[c].to_numpy(src.dtype)[order[~in_cat] - n]
            cols[c] = col
        cols["in_catalog"] = in_cat
        return cols

    def _keep(self, rows: np.ndarray, lo, hi, include_unknown, families, modalities, open_only, records_only):
        """Boolean mask of the catalog ``rows`` that pass the filters (see :meth:`_filter`)."""
        keep = _size_mask(self.params[rows], lo, hi, include_unknown)
        if families:
            codes = [self.family_ids[f] for f in {str(f).lower() for f in families} if f in self.family_ids]
            keep &= np.isin(self.family_code[rows], codes)
        if modalities:
            codes = [self.modality_ids[m] for m in set(modalities) if m in self.modality_ids]
            keep &= np.isin(self.modality_code[rows], codes)
        if open_only:
            keep &= self.open_weights[rows]
        if records_only:
            keep &= self.has_records[rows]
        return keep

    def _filter(self, t: pd.DataFrame, lo, hi, include_unknown, families, modalities, open_only, records_only):
        """The filters on a table of candidates (used for names outside the catalog)."""
        keep = _size_mask(pd.to_numeric(t["params_b"], errors="coerce").to_numpy(np.float64), lo, hi, include_unknown)
        if families:
            fams = {str(f).lower() for f in families}
            keep &= t["family"].astype(str).str.lower().isin(fams).to_numpy()
        if modalities:
            keep &= t["modality"].astype(str).isin(set(modalities)).to_numpy()
        if open_only:
            keep &= t["open_weights"].fillna(False).astype(bool).to_numpy()
        if records_only:
            keep &= t["n_records"].to_numpy() > 0
        return keep

    def _evidence(self, models, query: Query) -> tuple[list[str], list[str]]:
        """``observed`` (score on the matching known dataset) and ``evidence`` (nearest known
        datasets the model was scored on, with its mean z there) for each of ``models``; written
        for the first ``EVIDENCE_ROWS`` only ('' below)."""
        rec = self.evidence_records
        nb = list(query.neighbours["dataset"])
        idx = np.concatenate([self.records_by_dataset.get(d, np.zeros(0, np.int64)) for d in nb]) if nb else []
        idx = np.asarray(idx, dtype=np.int64)
        shown = list(models[:EVIDENCE_ROWS])
        shown_rows = [self.index[m] for m in shown if m in self.index]
        sub = rec.iloc[idx[np.isin(self.record_row[idx], shown_rows)]]  # select by integer row first: cheap
        # a few hundred records at most: plain Python over column lists beats a pandas groupby here
        observed_of, z_of = {}, {}
        for m, d, subset, metric, score, z in zip(*(sub[c].tolist() for c in sub.columns)):
            if d == query.match and len(observed_of.setdefault(m, [])) < 2:
                observed_of[m].append(f"{score:g} {metric}" + (f" ({subset})" if isinstance(subset, str) and subset
                                                               else ""))
            acc = z_of.setdefault((m, d), [0.0, 0])
            acc[0] += z
            acc[1] += 1
        observed, evidence = [""] * len(models), [""] * len(models)
        for i, m in enumerate(shown):
            observed[i] = "; ".join(observed_of.get(m, ()))
            evidence[i] = ", ".join(f"{d} (z={z_of[m, d][0] / z_of[m, d][1]:+.2f})" for d in nb if (m, d) in z_of)
        return observed, evidence


_CATALOG_COLUMNS = ["model", "params_b", "family", "modality", "size_bucket", "n_records"]
_COLUMNS = ["rank", "model", "score", "prior", "residual", "predicted_z", "params_b", "family", "modality",
            "size_bucket", "seen", "in_catalog", "n_records", "evidence_tier", "rank_level", "observed", "evidence"]


def _one_chunk(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each Arrow-backed column in one chunk: taking a few rows of a chunked column
    costs milliseconds (a ~1.5M-row parquet read gives a dozen chunks), of one chunk microseconds."""
    out = df.copy(deep=False)
    for c in out.columns:
        arr = out[c].array
        if hasattr(arr, "_pa_array") and arr._pa_array.num_chunks > 1:
            out[c] = pd.Series(pd.array(arr._pa_array.combine_chunks(), dtype=arr.dtype), index=out.index, name=c)
    return out


def _shown(value, limit: int = 80) -> str:
    """User text quoted back in a notice: cleaned (no control characters) and at most ``limit`` characters."""
    s = clean_text(value, 10 * limit)[0]
    return s if len(s) <= limit else s[:limit] + "…"


def _size_mask(params_b: np.ndarray, lo, hi, include_unknown: bool) -> np.ndarray:
    """Rows within [lo, hi] billions of parameters; unknown sizes pass unless excluded."""
    known = np.isfinite(params_b)
    keep = np.ones(len(params_b), bool)
    if lo is not None:
        keep &= ~known | (params_b >= lo)
    if hi is not None:
        keep &= ~known | (params_b <= hi)
    if not include_unknown:
        keep &= known
    return keep


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in _COLUMNS})


def _top_k(value) -> int | None:
    """The number of rows to return (None = all); at least 1. Refuses what is not a whole number."""
    if value is None:
        return None
    try:
        return max(1, int(value))
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"The number of models to return must be a whole number, got {value!r}.") from None


def _bounds(min_params_b, max_params_b) -> tuple[float | None, float | None]:
    """(minimum, maximum) size in billions of parameters, None where unbounded."""
    lo, hi = _bound(min_params_b, "minimum size"), _bound(max_params_b, "maximum size")
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"The minimum size ({lo:g}B) is larger than the maximum size ({hi:g}B).")
    return lo, hi


def _bound(value, what: str):
    """A size bound in billions, or None. Negative or NaN bounds are refused with a message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"The {what} must be a number of billions of parameters, got {value!r}.") from None
    if math.isnan(v):
        raise InputError(f"The {what} is not a number (NaN).")
    if v < 0:
        raise InputError(f"The {what} cannot be negative ({v:g}B).")
    return None if math.isinf(v) else v
