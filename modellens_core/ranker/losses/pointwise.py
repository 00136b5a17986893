"""Pointwise regression of the within-group z (the "predicted relative performance" head)."""
import torch

from . import clean, mean_over_groups


def pointwise_mse_loss(pred_z: torch.Tensor, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over groups (>= 2 valid items) of the mean squared error (pred_z − z)² over valid items.

    Per-group averaging (not pooled over items) so large groups do not dominate, as in the
    listwise losses.
    """
    err = (clean(pred_z, mask) - clean(z, mask)) ** 2 * mask
    n = mask.sum(-1)
    return mean_over_groups(err.sum(-1) / n.clamp(min=1), n >= 2, pred_z)
