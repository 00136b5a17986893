"""The Recommender: the one path from a :class:`RankRequest` to a :class:`Ranking`, used by the
Python API, the CLI, every tab and the pool builder.

``Recommender.load()`` verifies the shipped files, loads the corpus and the checkpoint, and lets
the engine compute every catalog model's side once. A request is then understood
(:mod:`.query`), its candidates resolved (:mod:`.candidates`) and filtered (:mod:`.filters`),
scored by the engine against the query's context and evidence, and ordered (:mod:`.ordering`):
a few tens of milliseconds for the ~95k-model catalog on one core (``benchmarks/speed.py``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..build.catalog import size_bucket
from ..build.corpus import Corpus
from ..build.manifest import verify_manifest
from ..common.encoder import TextEncoder
from ..common.paths import ASSETS, CHECKPOINTS
from ..ranker.checkpoint import Checkpoint
from ..ranker.engine import ContextSide, Engine, Scores
from ..ranker.evidence import EVIDENCE_DIM, Slot
from ..ranker.features import context_features, model_features
from ..ranker.train import training_evidence
from .candidates import UNKNOWN_MODEL_DESCRIPTION, NameResolver, unknown_model_side
from .evidence_text import EvidenceWriter
from .filters import UNKNOWN, CandidateFacts, applied_modalities, keep_mask
from .inputs import InputError
from .ordering import EVALUATED_FIRST, Ordering
from .query import Query, QueryReader
from .ranking import COLUMNS, CatalogColumns, Ranking, empty_table
from .request import Filters, RankRequest


class Recommender:
    def __init__(self, corpus: Corpus, checkpoint_dir: Path, encoder: TextEncoder | None = None):
        ck = Checkpoint(checkpoint_dir)
        self.model, self.vocab, self.meta = ck.load()
        self.cfg, self.engine, self.corpus = self.model.cfg, Engine(self.model), corpus
        self.catalog = cat = corpus.models.reset_index(drop=True)
        self.datasets, self.dataset_emb = corpus.datasets.reset_index(drop=True), corpus.dataset_emb
        rec, names = corpus.records, cat["model"].tolist()
        feats = model_features(self.vocab, names, corpus.model_emb, cat["params_b"], cat["family"],
                               self.cfg.name_buckets, ck.name_tokens(names, self.cfg.name_buckets))
        self.side = self.engine.model_side(feats)             # every catalog model, once
        # the evidence input: scores on the known datasets nearest a query (saved with the app checkpoint)
        self.evidence = ck.evidence(self.dataset_emb) or training_evidence(corpus, corpus.split(self.cfg.setting),
                                                                           self.cfg)
        self.dataset_row = {d: i for i, d in enumerate(self.datasets["dataset"])}
        self.encoder = encoder = encoder or TextEncoder()
        self.reader = QueryReader(encoder, self.datasets, self.dataset_emb, rec,
                                  lambda s: bool(self.vocab.subset_idx([s]).any()))
        self._unknown_desc = encoder.encode([UNKNOWN_MODEL_DESCRIPTION])[0]
        self.resolver = NameResolver(cat)
        family_code, fams = pd.factorize(cat["family"].astype(str).str.lower())
        modality_code, mods = pd.factorize(cat["modality"].astype(str))
        self.family_ids, self.modality_ids = {f: i for i, f in enumerate(fams)}, {m: i for i, m in enumerate(mods)}
        self.modalities = sorted(self.modality_ids)            # the catalog's modalities (the UI's choices)
        self.facts = CandidateFacts(cat["params_b"].to_numpy(np.float64), family_code, modality_code,
                                    cat["open_weights"].fillna(False).astype(bool).to_numpy(),
                                    cat["n_records"].to_numpy() > 0)
        self.ordering = Ordering(cat["model"].to_numpy(object), rec, cat["open_weights"].notna().to_numpy())
        self.columns = CatalogColumns(cat)
        self.evidence_text = EvidenceWriter(rec, self.resolver.index)
        self.tier_shortcut = True   # skip models that cannot reach a catalog-wide top k (exact; see ordering)

    @classmethod
    def load(cls, assets: Path | None = None, checkpoint: Path | None = None, verify: bool = True) -> "Recommender":
        assets = Path(assets or ASSETS)
        if verify:
            verify_manifest(assets, part="runtime", checkpoints_dir=checkpoint)  # the files the app reads
        return cls(Corpus(assets), Path(checkpoint or CHECKPOINTS))

    known_tasks = property(lambda self: self.reader.known_tasks)
    known_metrics = property(lambda self: self.reader.known_metrics)

    # --- understanding and context ------------------------------------------------------------
    def understand(self, description, task=None, metric=None, subset=None) -> Query:
        return self.reader.understand(description, task, metric, subset)

    def context(self, query: Query) -> ContextSide:
        """The engine's context side of a query (its matched dataset's ID when one matches)."""
        ctx = context_features(self.vocab, [query.match or "[UNK]"], query.vector[None, :], [query.task],
                               [query.metric], [query.subset])
        return self.engine.context_side(ctx)

    def evidence_context(self, query: Query) -> tuple:
        """(neighbour rows [k], weights [k], top similarity, subset, task and family codes) of a
        query; the matched dataset's own family is left out, as in training (:mod:`..ranker.evidence`)."""
        ev = self.evidence
        row = self.dataset_row.get(query.match, -1) if query.match else -1
        family = int(ev.dataset_family[row]) if row >= 0 else -1
        nbr, w, top = ev.neighbours(query.vector[None, :], np.array([family]))
        return nbr[0], w[0], float(top[0]), ev.subset_code(query.subset), ev.task_codes.get(query.task, -1), family

    def query_evidence(self, query: Query, by_pairs: bool = False, rows=None) -> np.ndarray:
        """Evidence [n_catalog or len(rows), EVIDENCE_DIM] of catalog models for a query; ``by_pairs``
        takes training's per-pair lookups instead of the one-query scatter (same numbers; slower)."""
        nbr, w, top, subset, task, family = ctx = self.evidence_context(query)
        if not by_pairs:
            return self.evidence.catalog(len(self.catalog), *ctx, rows=rows)
        m = np.arange(len(self.catalog)) if rows is None else np.asarray(rows)
        n = len(m)
        return self.evidence.pairs(m, np.repeat(nbr[None], n, 0), np.repeat(w[None], n, 0), np.full(n, top),
                                   np.full(n, subset), np.full(n, task), np.full(n, family))

    # --- ranking ------------------------------------------------------------------------------
    def recommend(self, request: RankRequest | str, **kw) -> Ranking:
        """Rank models for a request, or for a description with the request's fields as keywords
        (``task``, ``metric``, ``subset``, ``candidates``, ``top_k`` (default: all) and the
        :class:`Filters` fields, e.g. ``max_params_b=8``). Raises :class:`InputError`."""
        if not isinstance(request, RankRequest):
            fields = set(Filters.__dataclass_fields__)
            request = RankRequest(request, filters=Filters(**{k: v for k, v in kw.items() if k in fields}),
                                  **{"top_k": None, **{k: v for k, v in kw.items() if k not in fields}})
        return self.rank(self.understand(request.description, request.task, request.metric, request.subset), request)

    def rank(self, query: Query, request: RankRequest) -> Ranking:
        """:meth:`recommend` for an understood query (the text encoder is not run again)."""
        f, listed = request.filters, request.candidates is not None
        notices, asked = list(query.notices), {}
        if listed:
            rows, unknown, more, asked = self.resolver.resolve(request.candidates)
            notices += more
            if not rows and not unknown:
                raise InputError("The candidate list is empty: give one model name per line, or leave it empty to "
                                 "rank the whole catalog.")
            rows = np.asarray(rows, dtype=np.int64)
        else:
            rows, unknown = np.arange(len(self.catalog)), []
        mods, more = applied_modalities(f, query.domain, self.modalities, listed)
        notices += more
        keep = keep_mask(self.facts.take(rows), f, self.family_ids, self.modality_ids, mods)
        whole = not listed and bool(keep.all())   # every catalog row in catalog order: no gather needed
        rows = rows[keep]
        level = np.zeros(len(rows)) if listed else self.ordering.rank_level(query.task, query.domain, rows)
        if not listed and request.top_k is not None and self.tier_shortcut:
            sel = self.ordering.shortcut(level, request.top_k)
            if sel is not None:
                rows, level, whole = rows[sel], level[sel], False
        extra, cs = None, self.context(query)
        # catalog rows are scored in place (the engine gathers chunk by chunk: no copy of the cache)
        s = self.engine.catalog(self.side, cs, self.query_evidence(query, rows=None if whole else rows),
                                None if whole else rows)
        seen = self.side.seen if whole else self.side.seen[rows]
        if unknown:   # names outside the catalog: no records, so only the neighbourhood's top similarity as evidence
            u_side, params, fams = unknown_model_side(self.engine, self.vocab, unknown, self._unknown_desc,
                                                      self.cfg.name_buckets)
            u_facts = CandidateFacts(params, np.array([self.family_ids.get(x.lower(), UNKNOWN) for x in fams]),
                                     np.full(len(unknown), UNKNOWN), np.zeros(len(unknown), bool),
                                     np.zeros(len(unknown), bool))
            ok = keep_mask(u_facts, f, self.family_ids, self.modality_ids, mods)
            extra = pd.DataFrame({"model": unknown, "params_b": params, "family": fams, "modality": "unknown",
                                  "size_bucket": size_bucket(pd.Series(params)).to_numpy(),
                                  "n_records": 0})[ok].reset_index(drop=True)
            ev_u = np.zeros((int(ok.sum()), EVIDENCE_DIM), np.float32)
            ev_u[:, Slot.TOP_SIM] = self.evidence_context(query)[2]
            u = self.engine.catalog(u_side.rows(ok), cs, ev_u)
            s = Scores(*(np.concatenate([getattr(s, k), getattr(u, k)]) for k in Scores.__dataclass_fields__))
            seen, level = np.concatenate([seen, np.zeros(len(extra), bool)]), np.concatenate([level,
                                                                                               np.zeros(len(extra))])
        if len(s.score) == 0:
            notices.append("No model satisfies these filters: widen the size range, allow unknown sizes, or clear "
                           "the family/modality filters.")
            return Ranking(empty_table(listed), query, notices, mods, {})
        k = len(s.score) if request.top_k is None else min(request.top_k, len(s.score))
        order = self.ordering.top(s.score + EVALUATED_FIRST * level, rows, [] if extra is None else extra["model"], k)
        cols = self.columns.take(rows, extra, order)
        cols["observed"], cols["evidence"] = self.evidence_text.write(cols["model"], list(query.neighbours["dataset"]),
                                                                      query.match)
        cols.update(rank=np.arange(1, len(order) + 1), score=s.score[order], prior=s.prior[order],
                    residual=s.residual[order], predicted_z=s.z[order], seen=seen[order],
                    evidence_tier=(level[order] // 2).astype(np.int64), rank_level=level[order].astype(np.int64))
        table = pd.DataFrame({c: cols[c] for c in COLUMNS})
        where = {}
        if listed:   # each asked spelling -> its row, and the spelling itself as a column
            pos = {m: i for i, m in enumerate(table["model"])}
            name_of = lambda v: names[v] if isinstance(v, (int, np.integer)) else v   # noqa: E731
            names = self.ordering.names
            where = {a: pos[name_of(v)] for a, v in asked.items() if name_of(v) in pos}
            first = {}
            for a, i in where.items():
                first.setdefault(i, a)
            table["asked"] = [first.get(i, "") for i in range(len(table))]
        return Ranking(table, query, notices, mods, where)
