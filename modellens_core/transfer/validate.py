"""Input checks shared by the transferability estimators.

``encode_labels`` re-indexes any hashable class labels to ``0..C-1`` (every estimator calls it,
so callers may pass strings, ints or whole-valued floats). ``validate_inputs`` is the user-facing
gate used before running estimators on uploaded data: it raises ``ValueError`` with a message a
Space user can act on (what is wrong, and what to do).
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

# Space-safe defaults: 20k x 4096 float64 features is ~650 MB, about the most a CPU Space holds.
DEFAULT_MAX_SAMPLES = 20_000
DEFAULT_MAX_DIM = 4_096
_PROB_ROW_SUM_TOL = 1e-3


_LABELS_SHAPE_MSG = ("labels must be a 1-D sequence with one hashable class label per sample; got "
                     "shape {shape}. If you have one-hot labels, pass their argmax.")


def _as_label_array(labels) -> np.ndarray:
    """1-D array of labels; a list of tuples becomes an object array rather than a 2-D array."""
    try:
        arr = np.asarray(labels)
    except ValueError:  # ragged, e.g. a mix of tuples and None
        arr = None
    if arr is not None and arr.ndim == 1:
        return arr
    if isinstance(labels, np.ndarray) or not hasattr(labels, "__len__"):
        raise ValueError(_LABELS_SHAPE_MSG.format(shape=np.shape(labels)))
    obj = np.empty(len(labels), dtype=object)
    obj[:] = list(labels)
    return obj


def _show(value) -> str:
    """A label as the user wrote it (``'c'``, not ``np.str_('c')``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def encode_labels(labels) -> tuple[np.ndarray, np.ndarray]:
    """Map class labels (any hashables) to int codes ``0..C-1``.

    Returns ``(codes [N] int64, classes [C])``; ``classes[codes[i]] == labels[i]``. Classes are in
    sorted order where the labels are sortable, else in order of first appearance. Floats must be
    whole numbers (``3.0`` is class 3; ``0.37`` raises ``ValueError``: continuous targets are
    regression, not classes).
    """
    arr = _as_label_array(labels)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError("labels contain NaN or inf; every sample needs a class label.")
        if not np.all(arr == np.round(arr)):
            bad = arr[arr != np.round(arr)][0]
            raise ValueError(
                f"labels must be class labels (integers or strings), but they look continuous "
                f"(e.g. {_show(bad)}). Use logme_regression for continuous targets."
            )
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "c":
        raise ValueError("labels must be class labels (integers or strings), not complex numbers.")
    if arr.dtype.kind == "O":
        values = arr.tolist()
        if not all(isinstance(v, Hashable) for v in values):
            raise ValueError(_LABELS_SHAPE_MSG.format(shape=np.shape(labels)))
        if any(isinstance(v, float) and v != v for v in values):
            raise ValueError("labels contain NaN (missing values); every sample needs a class label.")
        try:  # sortable objects (e.g. a pandas column of strings): sorted classes, as below
            classes, codes = np.unique(arr, return_inverse=True)
            return codes.astype(np.int64).reshape(-1), classes
        except TypeError:  # mixed or unorderable hashables (tuples, None, ...)
            pass
        lookup: dict = {}
        codes = np.fromiter((lookup.setdefault(v, len(lookup)) for v in values),
                            dtype=np.int64, count=len(arr))
        classes = np.empty(len(lookup), dtype=object)
        classes[:] = list(lookup)
        return codes, classes
    classes, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.int64).reshape(-1), classes


def check_probs(probs, n_samples: int | None = None) -> np.ndarray:
    """Return ``probs`` as float64 ``[N, Z]`` after checking it is a row-stochastic matrix.

    Raises ``ValueError`` for wrong shape, NaN/inf, negative entries or rows that do not sum to 1
    (the usual cause is passing logits: apply a softmax first).
    """
    try:
        p = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("probs must be a numeric array [N samples, Z source classes].") from None
    if p.ndim != 2:
        raise ValueError("probs must be a 2-D array [N samples, Z source classes]; "
                         f"got shape {p.shape}.")
    if n_samples is not None and p.shape[0] != n_samples:
        raise ValueError(f"probs has {p.shape[0]} rows but there are {n_samples} labels; "
                         "they must describe the same samples in the same order.")
    if not np.all(np.isfinite(p)):
        raise ValueError("probs contain NaN or inf values.")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=_PROB_ROW_SUM_TOL):
        raise ValueError("probs must be probabilities: non-negative, each row summing to 1. "
                         "If you have logits, apply a softmax first.")
    return p


def check_features(features, n_samples: int | None = None) -> np.ndarray:
    """Return ``features`` as float64 ``[N, D]``; ``ValueError`` on bad shape, type or NaN/inf."""
    try:
        f = np.asarray(features, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("features must be a numeric array [N samples, D dimensions].") from None
    if f.ndim != 2:
        raise ValueError("features must be a 2-D array [N samples, D dimensions]; "
                         f"got shape {f.shape}.")
    if n_samples is not None and f.shape[0] != n_samples:
        raise ValueError(f"features has {f.shape[0]} rows but there are {n_samples} labels; "
                         "they must describe the same samples in the same order.")
    if not np.all(np.isfinite(f)):
        n_bad = int((~np.isfinite(f)).any(axis=1).sum())
        raise ValueError(f"features contain NaN or inf values in {n_bad} sample(s); "
                         "drop or impute those rows first.")
    return f


@dataclass(frozen=True)
class ValidatedInputs:
    """Checked inputs: float64 arrays (or None), labels as codes ``0..C-1`` and the class names."""

    features: np.ndarray | None
    probs: np.ndarray | None
    labels: np.ndarray
    classes: np.ndarray


def validate_inputs(features, labels, probs=None, min_per_class: int = 2,
                    max_samples: int = DEFAULT_MAX_SAMPLES,
                    max_dim: int = DEFAULT_MAX_DIM) -> ValidatedInputs:
    """Check user-supplied estimator inputs; raise ``ValueError`` with an actionable message.

    features: ``[N, D]`` numeric or None; probs: ``[N, Z]`` source-model probabilities or None (at
    least one is required); labels: ``[N]`` class labels (any hashables). Checks, in order: input
    present, label shape/type, sizes (``N <= max_samples``, ``D, Z <= max_dim``), shapes agree,
    NaN/inf, probabilities valid, at least 2 classes, at least ``min_per_class`` samples per class.
    """
    if features is None and probs is None:
        raise ValueError("Provide features [N, D] and/or source-model probabilities [N, Z].")
    if labels is None:
        raise ValueError("labels are required: one class label per sample.")
    codes, classes = encode_labels(labels)
    n = len(codes)
    if n > max_samples:
        raise ValueError(f"Too many samples: {n} > {max_samples}. Subsample (stratified by class) "
                         "before uploading; estimators are stable with a few thousand samples.")
    for name, arr in (("features", features), ("probs", probs)):
        shape = np.shape(arr) if arr is not None else ()
        if len(shape) == 2 and shape[1] > max_dim:
            raise ValueError(f"{name} has {shape[1]} columns > {max_dim}. Reduce the dimension "
                             "(e.g. PCA or pooling) before uploading.")
    f = check_features(features, n) if features is not None else None
    p = check_probs(probs, n) if probs is not None else None
    if len(classes) < 2:
        raise ValueError(f"Need at least 2 classes; all {n} labels are {_show(classes[0])}."
                         if n else "labels are empty: need at least 2 classes.")
    counts = np.bincount(codes, minlength=len(classes))
    small = np.flatnonzero(counts < min_per_class)
    if small.size:
        shown = ", ".join(f"{_show(classes[i])} ({counts[i]})" for i in small[:5])
        more = f" and {small.size - 5} more" if small.size > 5 else ""
        raise ValueError(f"Too few samples per class: need at least {min_per_class} per class; "
                         f"{shown}{more}. Add samples or drop those classes.")
    return ValidatedInputs(features=f, probs=p, labels=codes, classes=classes)
