"""The scoring engine: the only code that turns a trained :class:`ModelLens` into numbers.

It splits the network where the first layer splits (see :mod:`model`): a **model side**
(first-layer part, cross vector and structural prior per task domain, computed once per model
and cached: the app does it for the whole catalog at load) and a **context side** (the same
for a dataset context). Scoring then adds the evidence and runs the layers after the first:

* :meth:`Engine.pairs` — (model, context) pairs, any mix: training's validation, evaluation,
  the profile's per-domain strength;
* :meth:`Engine.catalog` — many models against one context: the app's query path, in
  cache-sized chunks, adding the evidence's first-layer and direct terms only for the few
  models that have any (most of the catalog has none near a query).

Both give :class:`Scores`: ``score`` (higher is better; the ranking key), ``prior`` and
``residual`` (score units before the division by tau; the residual already shrunk for unseen
models by :meth:`ModelLens.combine`) and ``z`` (predicted within-benchmark standard score).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from ..common.tasks import DOMAINS
from .evidence import Slot
from .model import ModelLens

HEAD_CHUNK = 4096     # rows per pass of the layers after the first: fits in cache (~3x faster than one batch)
PAIR_CHUNK = 131072   # pairs per pass in :meth:`Engine.pairs` (memory, not speed)


@dataclass(frozen=True)
class ModelSide:
    """What the engine caches per model (N rows, float32)."""
    first: np.ndarray   # [N, h0] first-layer pre-activation of the model view
    cross: np.ndarray   # [N, CROSS_DIM] cross vector (the bilinear term's model half; the Atlas's vectors)
    prior: np.ndarray   # [N, n_domains] structural prior per task domain (DOMAINS order), score units
    seen: np.ndarray    # [N] bool: the model has a trained ID row (it had training records)

    def rows(self, idx) -> "ModelSide":
        return ModelSide(self.first[idx], self.cross[idx], self.prior[idx], self.seen[idx])


@dataclass(frozen=True)
class ContextSide:
    """What the engine computes per dataset context (B rows)."""
    first: np.ndarray   # [B, h0] float32
    cross: np.ndarray   # [B, CROSS_DIM] float32
    domain: np.ndarray  # [B] int64 task-domain index (into DOMAINS)


@dataclass(frozen=True)
class Scores:
    score: np.ndarray      # [N] (prior + residual) / tau, higher is better
    prior: np.ndarray      # [N] structural prior (size, family, domain)
    residual: np.ndarray   # [N] this dataset's part, shrunk for unseen models
    z: np.ndarray          # [N] predicted within-group z


class Engine:
    def __init__(self, model: ModelLens):
        self.model = model
        self.tau = float(model.tau.detach())
        self._w_e = model.first_e.weight.detach().cpu().numpy()  # [h0, EVIDENCE_DIM]
        self.device = model.tau.device   # pairs() runs where the model is (a GPU in training); catalog() on the CPU

    @contextmanager
    def _eval(self):
        was = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                yield self.model
        finally:
            self.model.train(was)

    # --- the two sides -----------------------------------------------------------------------
    def model_side(self, feats: dict) -> ModelSide:
        """The cache of N models from their features (:func:`features.model_features`)."""
        with self._eval() as m:
            first, cross = m.model_part(m.model_view(feats))
            n, D = len(feats["mid"]), len(DOMAINS)
            prior = m.prior(feats["size"][:, None].expand(n, D), feats["family"][:, None].expand(n, D),
                            torch.arange(D)[None, :].expand(n, D), feats["logp"][:, None, :].expand(n, D, -1))
        return ModelSide(first.float().cpu().numpy(), cross.float().cpu().numpy(), prior.float().cpu().numpy(),
                         feats["mid"].cpu().numpy() > 0)

    def context_side(self, ctx: dict) -> ContextSide:
        """B contexts from their features (:func:`features.context_features`)."""
        with self._eval() as m:
            first, cross = m.context_part(m.context_view(ctx))
        return ContextSide(first.float().cpu().numpy(), cross.float().cpu().numpy(), ctx["domain"].cpu().numpy())

    def _scores(self, prior, residual, seen, z) -> Scores:
        residual, score = self.model.combine(prior, residual, seen)
        return Scores(score.astype(np.float32), prior, residual, z)

    # --- scoring -----------------------------------------------------------------------------
    def pairs(self, ms: ModelSide, cs: ContextSide, model_idx, context_idx, evidence: np.ndarray) -> Scores:
        """Scores [N] of N pairs: rows ``model_idx`` of ``ms`` with rows ``context_idx`` of ``cs``
        and the pairs' evidence [N, EVIDENCE_DIM]."""
        mi, ci = np.asarray(model_idx, np.int64), np.asarray(context_idx, np.int64)
        res, z = np.empty(len(mi), np.float32), np.empty(len(mi), np.float32)
        with self._eval() as m:
            for s in range(0, len(mi), PAIR_CHUNK):
                a, b = mi[s:s + PAIR_CHUNK], ci[s:s + PAIR_CHUNK]
                ev = np.ascontiguousarray(evidence[s:s + PAIR_CHUNK], dtype=np.float32)
                r, zz = m.heads(*(torch.from_numpy(x).to(self.device) for x in
                                  (ms.first[a], ms.cross[a], cs.first[b], cs.cross[b], ev)))
                res[s:s + PAIR_CHUNK], z[s:s + PAIR_CHUNK] = r.cpu().numpy(), zz.cpu().numpy()
        return self._scores(ms.prior[mi, cs.domain[ci]], res, ms.seen[mi], z)

    def catalog(self, ms: ModelSide, cs: ContextSide, evidence: np.ndarray, rows: np.ndarray | None = None) -> Scores:
        """Scores of every model of ``ms`` (or of its rows ``rows``) against the one context of
        ``cs``; ``evidence`` [N or len(rows), EVIDENCE_DIM] is aligned with the output. The top
        similarity is one number per query, folded into the context part; the other evidence
        slots are zero for most models, so their terms are added for the others only."""
        n = len(ms.first) if rows is None else len(rows)
        res, z = np.empty(n, np.float32), np.empty(n, np.float32)
        w_e, records = self._w_e, Slot.RECORDS
        top = float(evidence[0, Slot.TOP_SIM]) if len(evidence) else 0.0
        fc = torch.from_numpy(cs.first[0] + top * w_e[:, Slot.TOP_SIM])
        cc = torch.from_numpy(cs.cross[0])[None]
        zero = torch.zeros((1, len(fc)), dtype=fc.dtype)
        with self._eval() as m:
            for s in range(0, n, HEAD_CHUNK):
                part = slice(s, s + HEAD_CHUNK) if rows is None else rows[s:s + HEAD_CHUNK]
                h = torch.from_numpy(ms.first[part]) + fc
                ev = evidence[s:s + HEAD_CHUNK]
                some = np.flatnonzero(ev[:, records].any(1))
                if len(some):
                    h[some] += torch.from_numpy(ev[some, records] @ w_e[:, records].T)
                r, zz = m.heads(h, torch.from_numpy(ms.cross[part]), zero, cc)
                if len(some):
                    r[some] += m.evidence_direct(torch.from_numpy(ev[some]))
                res[s:s + HEAD_CHUNK], z[s:s + HEAD_CHUNK] = r.numpy(), zz.numpy()
        sel = slice(None) if rows is None else rows
        return self._scores(ms.prior[sel, int(cs.domain[0])], res, ms.seen[sel], z)
