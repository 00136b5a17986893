"""NCE: Negative Conditional Entropy of target labels given source labels.

Tran, Nguyen, Hassner, "Transferability and Hardness of Supervised Classification Tasks",
ICCV 2019. With hard source-model predictions ``z_i`` (the argmax class), estimate the empirical
joint ``P(y, z)`` by counting and return ``NCE = -H(Y | Z) = sum_{y,z} P(y, z) log P(y | z)``.
"""
from __future__ import annotations

import numpy as np

from .validate import check_probs, encode_labels


def nce(source, labels) -> float:
    """NCE score in nats, ``<= 0``; higher (closer to 0) = target labels more predictable from the
    source model's predicted classes.

    source: ``[N]`` source-model predicted labels (any hashables), or ``[N, Z]`` probabilities, in
    which case their row-wise argmax is used (the paper's definition uses hard labels). labels:
    ``[N]`` target labels. Invariant to sample order and relabelling either label set.
    """
    codes, classes = encode_labels(labels)
    src = np.asarray(source)
    if src.ndim == 2:
        z = check_probs(src, len(codes)).argmax(axis=1)
    else:
        z, _ = encode_labels(src)
        if len(z) != len(codes):
            raise ValueError(f"source has {len(z)} entries but there are {len(codes)} labels.")
    n_y = len(classes)
    joint = np.bincount(z * n_y + codes, minlength=(z.max() + 1) * n_y).reshape(-1, n_y)
    joint = joint / len(codes)                                # [Z, C] = P(z, y)
    p_z = joint.sum(axis=1, keepdims=True)
    nz = joint > 0
    return float((joint[nz] * np.log(joint[nz] / np.broadcast_to(p_z, joint.shape)[nz])).sum())
