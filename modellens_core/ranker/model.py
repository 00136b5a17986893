"""The ModelLens ranker.

score(m, d, t, mu) = (prior(m, domain) + s(m) * residual(m, d, t, mu)) / max(tau, tau_min)

with s(m) = 1 for models seen in training and ``unseen_residual_scale`` for the others (their
residual comes from name tokens and metadata only, and is shrunk towards the prior).

* model view   = [ID emb | hashed name tokens | projected frozen description | size bucket |
                  log10 size and a known-size flag | family]
* context view = [dataset ID emb | projected dataset description | task | metric | domain |
                  subset tokens (languages, configs; mean of known tokens, zero when none)]
* evidence     = how the model scored on the known datasets nearest the context (:mod:`evidence`:
                 weighted mean z and coverage on the same subset and overall, its mean z over
                 the task's datasets, and the top similarity), the one input that depends on
                 the (model, context) pair
* residual     = MLP(first_m(model view) + first_c(context view) + first_e(evidence)) -> linear
                 head, plus a low-rank bilinear term <cross_m(model view), cross_c(context view)>,
                 plus w . (z x coverage) of the evidence (a direct path the MLP need not relearn)
* z head       = a second linear head on the MLP output: predicted within-group z
* prior        = small MLP over (size bucket, family, task domain) embeddings of its own and
                 the continuous log10 size, so the Priors tab shows exactly what it learned.

The first layer is split into a model part and a context part so that inference can
precompute the model part for the whole catalog: :mod:`engine`, beside this file, is the one
place that scores with a trained model (training's validation, evaluation, the app). Row 0 of every
embedding table is the trained [UNK] row; ID dropout replaces IDs by it during training.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .config import RankerConfig
from .evidence import EVIDENCE_DIM, Slot

CROSS_DIM = 32  # rank of the bilinear model x context term
LOGP_DIM = 2    # [log10(params in billions) or 0, 1 if the size is known else 0]


class ModelLens(nn.Module):
    def __init__(self, cfg: RankerConfig, n_models: int, n_datasets: int, n_tasks: int, n_metrics: int,
                 n_families: int, n_sizes: int, n_domains: int, n_subset_tokens: int):
        super().__init__()
        self.cfg = cfg
        d, m = cfg.id_dim, cfg.meta_dim
        self.model_id = nn.Embedding(n_models, d)
        self.name_tokens = nn.EmbeddingBag(cfg.name_buckets, cfg.name_dim, mode="mean", padding_idx=0)
        self.model_desc = nn.Linear(cfg.text_dim, cfg.desc_dim)
        self.size = nn.Embedding(n_sizes, m)
        self.family = nn.Embedding(n_families, m)
        self.dataset_id = nn.Embedding(n_datasets, d)
        self.dataset_desc = nn.Linear(cfg.text_dim, cfg.desc_dim)
        self.task = nn.Embedding(n_tasks, m)
        self.metric = nn.Embedding(n_metrics, m)
        self.domain = nn.Embedding(n_domains, m)
        self.subset = nn.EmbeddingBag(n_subset_tokens, m, mode="mean", padding_idx=0)
        model_in = d + cfg.name_dim + cfg.desc_dim + 2 * m + LOGP_DIM
        ctx_in = d + cfg.desc_dim + 4 * m
        h0 = cfg.hidden[0]
        self.first_m = nn.Linear(model_in, h0)
        self.first_c = nn.Linear(ctx_in, h0, bias=False)
        self.first_e = nn.Linear(EVIDENCE_DIM, h0, bias=False)
        # on (subset, dataset, task) evidence z x coverage; starts at "neighbours' scores count" (from 0 training
        # never picks them up: warm training groups are fitted by IDs and descriptions alone)
        self.evidence_weight = nn.Parameter(torch.full((3,), 0.5))
        layers: list[nn.Module] = []
        for a, b in zip(cfg.hidden, cfg.hidden[1:]):  # in-place ReLUs: each acts on a fresh sum or layer output
            layers += [nn.ReLU(inplace=True), nn.Dropout(cfg.dropout), nn.Linear(a, b)]
        self.rest = nn.Sequential(*layers, nn.ReLU(inplace=True))
        self.residual_head = nn.Linear(cfg.hidden[-1], 1)
        self.z_head = nn.Linear(cfg.hidden[-1], 1)
        self.cross_m = nn.Linear(model_in, CROSS_DIM, bias=False)
        self.cross_c = nn.Linear(ctx_in, CROSS_DIM, bias=False)
        # the prior: its own size / family / domain embeddings
        self.prior_size = nn.Embedding(n_sizes, m)
        self.prior_family = nn.Embedding(n_families, m)
        self.prior_domain = nn.Embedding(n_domains, m)
        self.prior_mlp = nn.Sequential(nn.Linear(3 * m + LOGP_DIM, cfg.prior_hidden), nn.ReLU(), nn.Linear(cfg.prior_hidden, 1))
        self.log_tau = nn.Parameter(torch.tensor(math.log(cfg.tau_init)))
        for emb in (self.model_id, self.dataset_id, self.task, self.metric, self.family, self.size, self.domain,
                    self.subset):
            nn.init.normal_(emb.weight, std=0.05)

    # --- the two views -------------------------------------------------------------------
    def _drop_ids(self, ids: torch.Tensor, p: float | None = None) -> torch.Tensor:
        """ID dropout: with p (default cfg.id_dropout) replace an ID by the [UNK] row 0 (training only)."""
        p = self.cfg.id_dropout if p is None else p
        if not self.training or p == 0:
            return ids
        keep = torch.rand(ids.shape, device=ids.device) >= p
        return torch.where(keep, ids, torch.zeros_like(ids))

    def model_view(self, f: dict) -> torch.Tensor:
        """[N, model_in] from model features (:func:`features.model_features`): ids "mid" [N],
        name "tokens" [N, T], "desc" [N, text_dim], "size" buckets [N], "logp" [N, 2], "family" [N]."""
        mid = f["mid"]   # (training's model-ID dropout happens in forward, together with the evidence)
        tokens = f["tokens"]
        if self.training and self.cfg.name_dropout > 0:  # an unseen name is mostly new tokens
            tokens = torch.where(torch.rand(tokens.shape, device=tokens.device) < self.cfg.name_dropout,
                                 torch.zeros_like(tokens), tokens)
        return torch.cat([self.model_id(mid), self.name_tokens(tokens), self.model_desc(f["desc"]),
                          self.size(f["size"]), f["logp"], self.family(self._drop_ids(f["family"]))], -1)

    def context_view(self, c: dict) -> torch.Tensor:
        """[B, ctx_in] from context features (:func:`features.context_features`): dataset ids
        "did" [B], "desc" [B, text_dim], "task"/"metric"/"domain" ids [B], "subset" token ids [B, T]."""
        desc = c["desc"]
        if self.training and self.cfg.desc_noise > 0:  # a new dataset is never described exactly like a known one
            desc = nn.functional.normalize(desc + self.cfg.desc_noise * torch.randn_like(desc), dim=-1)
        return torch.cat([self.dataset_id(self._drop_ids(c["did"], self.cfg.dataset_id_dropout)),
                          self.dataset_desc(desc), self.task(self._drop_ids(c["task"])),
                          self.metric(self._drop_ids(c["metric"])), self.domain(c["domain"]),
                          self.subset(c["subset"])], -1)

    # --- parts used both in training and by the fast inference engine --------------------
    def model_part(self, view: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """First-layer pre-activation and cross vector of the model side: [N, h0], [N, c]."""
        return self.first_m(view), self.cross_m(view)

    def context_part(self, view: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.first_c(view), self.cross_c(view)

    def prior(self, size, family, domain, logp) -> torch.Tensor:
        """Structural prior [...] from size bucket, family and task-domain ids (same shapes [...])
        and the size features ``logp`` [..., 2] (log10 billions of parameters, known flag)."""
        x = torch.cat([self.prior_size(size), self.prior_family(self._drop_ids(family)),
                       self.prior_domain(domain), logp], -1)
        return self.prior_mlp(x).squeeze(-1)

    def heads(self, first_m, cross_m, first_c, cross_c, evidence=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Residual and predicted z from the model parts [..., L, h0], context parts broadcast
        against them ([..., 1, h0]) and the pairs' evidence [..., L, EVIDENCE_DIM] (None: its
        parts were already added, as the inference engine does for the few models that have any)."""
        if evidence is not None:
            first_m = first_m + self.first_e(evidence)
        h = self.rest(first_m + first_c)
        # both heads in one pass over h (the inference engine runs this on ~95k rows per query)
        out = nn.functional.linear(h, torch.cat([self.residual_head.weight, self.z_head.weight]),
                                   torch.cat([self.residual_head.bias, self.z_head.bias]))
        if cross_c.shape[-2] == 1:  # one context per batch row: a matrix-vector product
            cross = torch.matmul(cross_m, cross_c.transpose(-1, -2)).squeeze(-1)
        else:
            cross = (cross_m * cross_c).sum(-1)
        residual = out[..., 0] + cross / math.sqrt(CROSS_DIM)
        if evidence is not None:
            residual = residual + self.evidence_direct(evidence)
        return residual, out[..., 1]

    def evidence_direct(self, evidence: torch.Tensor) -> torch.Tensor:
        """The direct evidence term [...]: weights x (z x coverage) on subset, dataset and task."""
        return sum(w * evidence[..., z] * evidence[..., cov] for w, (z, cov) in zip(self.evidence_weight, Slot.Z_COVERAGE))

    def combine(self, prior, residual, seen):
        """(residual as it counts, score) from the prior, the residual and whether each model was
        seen in training (bool, same shape): score = (prior + s x residual) / tau, with s =
        ``unseen_residual_scale`` for unseen models at inference (1 in training). The one
        implementation of the shrink; takes torch tensors (training) or numpy arrays (the engine)."""
        s = self.cfg.unseen_residual_scale
        if isinstance(residual, torch.Tensor):
            if s != 1.0 and not self.training:
                residual = torch.where(seen, residual, residual * s)
            return residual, (prior + residual) / self.tau
        if s != 1.0:
            residual = np.where(seen, residual, residual * np.float32(s))
        return residual, (prior + residual) / float(self.tau.detach())

    @property
    def tau(self) -> torch.Tensor:
        return torch.clamp(self.log_tau.exp(), min=self.cfg.tau_min)

    def forward(self, models: dict, ctx: dict, evidence: torch.Tensor) -> dict:
        """Score B groups of L candidates. ``models`` tensors are [B, L, ...], ``ctx`` [B, ...],
        ``evidence`` [B, L, EVIDENCE_DIM] (:mod:`evidence`).

        Returns score [B, L] (higher = better), prior, residual and predicted z [B, L].
        """
        B, L = models["mid"].shape
        if self.training and self.cfg.subset_dropout > 0:  # queries often name no subset: hide it (and its evidence)
            keep = torch.rand(B, device=ctx["subset"].device) >= self.cfg.subset_dropout
            ctx = {**ctx, "subset": ctx["subset"] * keep[:, None]}
            hide = torch.ones(EVIDENCE_DIM, device=evidence.device)
            hide[Slot.SUBSET] = 0
            evidence = evidence * torch.where(keep[:, None, None], torch.ones_like(hide), hide)
        flat = {k: v.reshape(B * L, *v.shape[2:]) for k, v in models.items()}
        if self.training and self.cfg.model_id_dropout > 0:
            # look like an unseen model: no ID, and no records, so no evidence either (top similarity stays)
            unseen = torch.rand(B, L, device=evidence.device) < self.cfg.model_id_dropout
            flat["mid"] = torch.where(unseen.reshape(-1), torch.zeros_like(flat["mid"]), flat["mid"])
            records = torch.zeros(EVIDENCE_DIM, dtype=torch.bool, device=evidence.device)
            records[Slot.RECORDS] = True
            evidence = torch.where(unseen[..., None] & records, torch.zeros_like(evidence), evidence)
        first_m, cross_m = self.model_part(self.model_view(flat))
        first_c, cross_c = self.context_part(self.context_view(ctx))
        residual, z = self.heads(first_m.view(B, L, -1), cross_m.view(B, L, -1),
                                 first_c[:, None, :], cross_c[:, None, :], evidence)
        prior = self.prior(flat["size"].view(B, L), flat["family"].view(B, L), ctx["domain"][:, None].expand(B, L),
                           flat["logp"].view(B, L, -1))
        residual, score = self.combine(prior, residual, flat["mid"].view(B, L) > 0)
        return {"score": score, "prior": prior, "residual": residual, "z": z}
