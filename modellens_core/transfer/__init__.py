"""Transferability estimators: pure numpy functions scoring how well a pretrained model's
forward-pass outputs on a target dataset suit its labels. Every score is "higher = better".

``ESTIMATORS`` maps a name to an :class:`Estimator` saying which input it needs: ``"features"``
(penultimate-layer embeddings ``[N, D]``) or ``"probs"`` (the source model's class probabilities
``[N, Z]``). ``run_estimators`` validates the inputs once and runs every estimator whose input is
available. ``fuse_rankings`` combines estimator scores across models with the ranker's scores.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .fusion import fuse_rankings, within_pool_percentile
from .gbc import gbc
from .hscore import h_score, h_score_shrinkage
from .leep import leep
from .logme import logme, logme_regression
from .nce import nce
from .nleep import nleep
from .validate import ValidatedInputs, encode_labels, validate_inputs


@dataclass(frozen=True)
class Estimator:
    """One estimator: ``fn(inputs, labels) -> float`` (higher = better), the input it needs
    (``"features"`` or ``"probs"``), a display label and the paper it follows."""

    name: str
    fn: Callable[[np.ndarray, np.ndarray], float]
    needs: str
    label: str
    reference: str


ESTIMATORS: dict[str, Estimator] = {e.name: e for e in (
    Estimator("logme", logme, "features", "LogME",
              "You et al., ICML 2021"),
    Estimator("leep", leep, "probs", "LEEP",
              "Nguyen et al., ICML 2020"),
    Estimator("nce", nce, "probs", "NCE",
              "Tran et al., ICCV 2019"),
    Estimator("h_score", h_score, "features", "H-score",
              "Bao et al., ICIP 2019"),
    Estimator("h_score_shrinkage", h_score_shrinkage, "features", "H-score (shrinkage)",
              "Ibrahim et al., ICLR 2023"),
    Estimator("nleep", nleep, "features", "N-LEEP",
              "Li et al., CVPR 2021"),
    Estimator("gbc", gbc, "features", "GBC",
              "Pándy et al., CVPR 2022"),
)}


def run_estimators(labels, features=None, probs=None, names: Iterable[str] | None = None,
                   **limits) -> dict[str, float]:
    """Validate once (``validate_inputs``; ``limits`` are passed on) and run the named estimators
    (default: all). An estimator whose input was not given scores NaN. Raises ``ValueError`` for
    bad inputs or an unknown name."""
    chosen = list(ESTIMATORS) if names is None else list(names)
    unknown = [n for n in chosen if n not in ESTIMATORS]
    if unknown:
        raise ValueError(f"Unknown estimator(s) {unknown}; choose from {sorted(ESTIMATORS)}.")
    checked = validate_inputs(features, labels, probs=probs, **limits)
    inputs = {"features": checked.features, "probs": checked.probs}
    out = {}
    for name in chosen:
        est = ESTIMATORS[name]
        x = inputs[est.needs]
        out[name] = float("nan") if x is None else est.fn(x, checked.labels)
    return out


__all__ = [
    "ESTIMATORS", "Estimator", "ValidatedInputs", "encode_labels", "fuse_rankings", "gbc",
    "h_score", "h_score_shrinkage", "leep", "logme", "logme_regression", "nce", "nleep",
    "run_estimators", "validate_inputs", "within_pool_percentile",
]
