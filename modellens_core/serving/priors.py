"""What the ranker's structural prior learned (shown by the Priors tab).

The prior is the part of a model's score that depends only on its size (bucket and log10), its family and
the task domain (``ModelLens.prior``), in the ranker's score units (before the division by the
temperature tau; higher = the ranker expects the model to do better before it looks at the
dataset). Everything here is a handful of forward passes of the small prior MLP: cheap enough
to compute when the app loads; :func:`build_priors` also writes it as JSON for other readers.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..build.catalog import SIZE_BUCKET_LABELS, SIZE_BUCKET_TYPICAL_B
from ..common.tasks import DOMAINS, task_domain
from ..ranker.features import size_features
from ..ranker.vocab import UNK

KNOWN_SIZES = [s for s in SIZE_BUCKET_LABELS if s != "unknown"]


@torch.no_grad()
def _prior_grid(model, families: np.ndarray) -> np.ndarray:
    """prior[f, s, d] for family ids ``families`` x every size bucket (at its typical size,
    ``SIZE_BUCKET_TYPICAL_B``) x every task domain."""
    model.eval()
    F, S, D = len(families), len(SIZE_BUCKET_LABELS), len(DOMAINS)
    fam = torch.as_tensor(families, dtype=torch.long)[:, None, None].expand(F, S, D)
    size = torch.arange(S)[None, :, None].expand(F, S, D)
    dom = torch.arange(D)[None, None, :].expand(F, S, D)
    logp = torch.from_numpy(size_features(SIZE_BUCKET_TYPICAL_B))[None, :, None, :].expand(F, S, D, -1)
    return model.prior(size, fam, dom, logp).numpy().astype(np.float64)


def size_curve(model) -> pd.DataFrame:
    """Learned prior per (task domain, size bucket) for a model of unknown family ([UNK] row).

    Columns: domain, size_bucket (ordered smallest to largest, then "unknown"), prior (score
    units, higher = better expected). One row per domain x bucket.
    """
    grid = _prior_grid(model, np.array([0]))[0]            # [S, D]
    return pd.DataFrame({"domain": np.repeat(DOMAINS, len(SIZE_BUCKET_LABELS)),
                         "size_bucket": np.tile(SIZE_BUCKET_LABELS, len(DOMAINS)),
                         "prior": grid.T.reshape(-1)})


def family_heatmap(model, vocab, models: pd.DataFrame | None = None, top: int = 30) -> pd.DataFrame:
    """Family effect: prior(size, family, domain) - prior(size, [UNK], domain), averaged over the
    known size buckets. Rows: the vocabulary's families (not [UNK]), the ``top`` with the most
    catalog models first (``models``: the catalog; without it, vocabulary order); columns: the
    task domains. Positive = the ranker favours that family in that domain.
    """
    fams = [f for f in vocab.families if f != UNK]
    if models is not None and len(fams):
        counts = models["family"].astype(str).str.lower().value_counts()
        n = np.array([counts.get(f, 0) for f in fams])
        order = sorted(range(len(fams)), key=lambda i: (-n[i], fams[i]))
        fams = [fams[i] for i in order]
    fams = fams[:max(0, int(top))]
    ids = vocab.family_idx(fams)
    known = [SIZE_BUCKET_LABELS.index(s) for s in KNOWN_SIZES]
    grid = _prior_grid(model, np.concatenate([[0], ids]).astype(np.int64))[:, known, :]  # [1+F, S, D]
    effect = (grid[1:] - grid[:1]).mean(axis=1)
    return pd.DataFrame(effect, index=pd.Index(fams, name="family"), columns=list(DOMAINS))


def build_priors(checkpoint_dir, out, models: pd.DataFrame | None = None, top: int = 30) -> dict:
    """Write both views as JSON (``{"size_curve": [...rows], "family_heatmap": {families,
    domains, effect}}``) to ``out``; returns the dict."""
    from ..ranker.checkpoint import Checkpoint
    model, vocab, _ = Checkpoint(checkpoint_dir).load()
    heat = family_heatmap(model, vocab, models, top)
    data = {"size_curve": size_curve(model).to_dict("records"),
            "family_heatmap": {"families": list(heat.index), "domains": list(heat.columns),
                               "effect": np.round(heat.to_numpy(), 6).tolist()}}
    Path(out).write_text(json.dumps(data, indent=1) + "\n")
    return data


def trained_domains(vocab) -> list[str]:
    """Task domains of the tasks the ranker was trained on (the others' rows are untrained)."""
    seen = {task_domain(t) for t in vocab.tasks if t != UNK}
    return [d for d in DOMAINS if d in seen]
