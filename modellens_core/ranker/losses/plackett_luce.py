"""Listwise Plackett-Luce loss: negative log-likelihood of the true order of each group."""
from __future__ import annotations

import torch

from . import clean, mean_over_groups


def true_order(z: torch.Tensor, mask: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """[B, L] targets (higher = better), [B, L] mask -> [B, L] item indices sorted by z descending.

    Ties in z are broken uniformly at random (``generator``); padded items come last.
    """
    device = z.device if generator is None else generator.device
    shuffle = torch.argsort(torch.rand(z.shape, generator=generator, device=device).to(z.device), dim=-1)
    key = clean(z, mask).masked_fill(~mask, float("-inf")).gather(-1, shuffle)
    by_z = torch.argsort(key, dim=-1, descending=True, stable=True)  # stable: ties keep the random pre-order
    return shuffle.gather(-1, by_z)


def plackett_luce_loss(scores: torch.Tensor, z: torch.Tensor, mask: torch.Tensor,
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """Mean over groups (>= 2 valid items) of the Plackett-Luce NLL of the true order, per valid item.

    For the true order π (z descending), NLL = Σ_i [logsumexp(s_π(i..n)) − s_π(i)], divided by
    the group's number of valid items n. The suffix logsumexps come from one logcumsumexp over
    the flipped sorted scores. Padding gets a huge finite negative rather than −inf: identical
    forward value, but −inf would make logcumsumexp's backward produce NaN (0·exp(−inf+inf)).
    """
    order = true_order(z, mask, generator)
    m = mask.gather(-1, order)
    neg = torch.finfo(scores.dtype).min / 4  # exp(neg - s) underflows to exactly 0
    s = clean(scores, mask).gather(-1, order).masked_fill(~m, neg)
    suffix_lse = torch.logcumsumexp(s.flip(-1), dim=-1).flip(-1)
    n = mask.sum(-1)
    per_group = ((suffix_lse - s) * m).sum(-1) / n.clamp(min=1)
    return mean_over_groups(per_group, n >= 2, scores)
