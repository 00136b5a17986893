"""Pairwise BPR loss within groups."""
import torch
import torch.nn.functional as F

from . import clean, mean_over_groups


def bpr_loss(scores: torch.Tensor, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over groups of the mean over ordered pairs (z_i > z_j, both valid) of −log σ(s_i − s_j).

    Uses softplus(s_j − s_i) for stability. Groups without a strictly ordered pair (fewer than 2
    valid items or constant z) are left out. Memory O(B·L²): ~125 MB for B=64, L=700 in fp32.
    """
    s, t = clean(scores, mask), clean(z, mask)
    pair = (t[:, :, None] > t[:, None, :]) & mask[:, :, None] & mask[:, None, :]
    nll = F.softplus(s[:, None, :] - s[:, :, None])  # [B, i, j]: −log σ(s_i − s_j)
    count = pair.sum((-1, -2))
    per_group = (nll * pair).sum((-1, -2)) / count.clamp(min=1)
    return mean_over_groups(per_group, count > 0, scores)
