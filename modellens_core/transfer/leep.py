"""LEEP: Log Expected Empirical Prediction.

Nguyen, Hassner, Seeger, Archambeau, "LEEP: A New Measure to Evaluate Transferability of Learned
Representations", ICML 2020. From the source model's class probabilities theta(x) [Z] build the
empirical joint ``P(y, z) = 1/N sum_i theta(x_i)_z [y_i = y]``, the conditional
``P(y | z) = P(y, z) / P(z)``, and score the "expected empirical predictor"
``LEEP = 1/N sum_i log sum_z P(y_i | z) theta(x_i)_z``.
"""
from __future__ import annotations

import numpy as np

from .validate import check_probs, encode_labels


def leep(probs, labels) -> float:
    """LEEP score, ``<= 0``; higher (closer to 0) = more transferable.

    probs: ``[N, Z]`` source-model class probabilities (rows sum to 1); labels: ``[N]`` target
    class labels (any hashables). Invariant to sample order, to relabelling target classes and
    to permuting the Z source classes (columns of ``probs``).
    """
    codes, classes = encode_labels(labels)
    p = check_probs(probs, len(codes))
    joint = np.zeros((len(classes), p.shape[1]))              # [C, Z], unnormalised P(y, z)
    np.add.at(joint, codes, p)
    p_z = joint.sum(axis=0, keepdims=True)
    # A source class that no sample puts mass on contributes theta_z * P(y|z) = 0 either way.
    cond = np.divide(joint, p_z, out=np.zeros_like(joint), where=p_z > 0)  # P(y | z)
    eep = np.einsum("nz,nz->n", p, cond[codes])
    return float(np.log(np.maximum(eep, np.finfo(float).tiny)).mean())
