"""Ranking losses over padded evaluation groups, one loss per module.

Shared input convention: ``scores``/``pred_z`` ``[B, L]`` model outputs (higher = better),
``z`` ``[B, L]`` targets (within-group z, higher = better), ``mask`` ``[B, L]`` bool
(True = real item). Padded entries may hold anything (even NaN/inf): they are replaced before
use, receive zero gradient, and never change the loss. Every loss returns a scalar: the plain
mean over groups that carry signal (>= 2 valid items), or a 0 that still has a grad_fn when
none does.
"""
import torch


def mean_over_groups(per_group: torch.Tensor, used: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    """[B] per-group losses, [B] bool groups to average, [B, L] scores (for the empty case) -> scalar."""
    if not bool(used.any()):
        return scores.new_zeros(()) + 0.0 * torch.nan_to_num(scores).sum()  # 0 connected to the graph
    return per_group[used].mean()


def clean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """[B, L] values with padded entries set to 0 (finite, zero gradient to the padding)."""
    return x.masked_fill(~mask, 0.0)


# submodules import the helpers above, so they are imported last
from .bpr import bpr_loss  # noqa: E402
from .plackett_luce import plackett_luce_loss  # noqa: E402
from .pointwise import pointwise_mse_loss  # noqa: E402

__all__ = ["plackett_luce_loss", "bpr_loss", "pointwise_mse_loss", "mean_over_groups", "clean"]
