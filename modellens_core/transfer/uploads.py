"""Defensive parsing of the Transferability tab's uploads.

Two forms, never mixed:

* one ``.npz`` per candidate model, named after the model (``resnet50.npz``; ``org__name.npz``
  stands for ``org/name`` since file names cannot hold ``/``), holding ``features`` ``[N, D]``
  (numeric), ``labels`` ``[N]`` (integer or string class labels) and optionally ``probs`` ``[N, Z]``
  (the source model's class probabilities, rows summing to 1);
* one ``.csv`` of precomputed estimator scores: a ``model`` column and one column per estimator
  (names or labels of :data:`modellens_core.transfer.ESTIMATORS`, e.g. ``logme`` or ``LogME``),
  numbers with higher = better, empty cells for estimators not computed.

Every problem with a file gives a message naming the file and saying what to fix. :func:`parse_uploads`
checks every file: bad ones are listed in ``Uploads.errors`` while the valid ones are still used, and it
raises ``ValueError`` (every bad file listed, one per line) only when no file is usable. Arrays
are read with ``allow_pickle=False`` (an uploaded file never runs code) and their uncompressed size
is checked before reading (a small zip can expand to gigabytes).
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import ESTIMATORS, validate_inputs

MAX_FILE_BYTES = 50 * 2**20          # per uploaded file, as stored
MAX_FILES = 20
MAX_UNCOMPRESSED_BYTES = 256 * 2**20  # per .npz once decompressed (~8k x 4096 float64)
MAX_CSV_ROWS = 1000
MIN_PER_CLASS = 2                     # the estimators need a class mean and spread
REQUIRED_KEYS = ("features", "labels")
OPTIONAL_KEYS = ("probs",)

_NUMERIC = "fiu"                      # float, signed and unsigned integer arrays
_EMPTY_CELLS = ("", "nan", "na", "n/a", "none", "null")  # CSV cells that mean "not computed"
_LABEL_KINDS = "iuUSbf"               # integers, strings, bytes, booleans, floats (must be whole: checked later)

# estimator names and display labels, case- and punctuation-insensitive -> estimator name
_EST_KEYS = {re.sub(r"[^a-z0-9]", "", k.lower()): name
             for name, est in ESTIMATORS.items() for k in (name, est.label)}


@dataclass
class Uploads:
    """Parsed uploads: ``arrays`` (model -> (features, labels, probs or None)) or ``scores``
    (DataFrame: model + estimator columns), and notices for the user."""

    arrays: dict[str, tuple] | None = None
    scores: pd.DataFrame | None = None
    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # one message per file left out, each naming it

    @property
    def data(self):
        """What :func:`modellens_core.serving.feature_ranking.feature_augmented_ranking` takes."""
        return self.arrays if self.arrays is not None else self.scores


def model_name(path) -> str:
    """The model a file stands for: its name without the extension, ``__`` read as ``/``."""
    return Path(str(path)).stem.replace("__", "/").strip()


def _path_of(item) -> Path:
    """A path from what Gradio hands over (str, Path, FileData-like object or dict)."""
    if isinstance(item, Mapping):
        item = item.get("path") or item.get("name")
    elif not isinstance(item, (str, Path)):
        item = getattr(item, "path", None) or getattr(item, "name", None)
    if not item:
        raise ValueError("An upload could not be read (no file path); please upload it again.")
    return Path(str(item))


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        raise ValueError(f"{path.name}: the uploaded file could not be read; upload it again.") from None
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{path.name}: {size / 2**20:.1f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit "
                         "per file. Subsample (stratified by class), reduce the dimension, or save with "
                         "np.savez_compressed.")
    if size == 0:
        raise ValueError(f"{path.name}: the file is empty.")


# ----------------------------------------------------------------------------- .npz
def read_npz(path) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(features [N, D], labels [N], probs [N, Z] or None)`` from one ``.npz``, fully checked
    (keys, dtypes, shapes, NaN/inf, probabilities, >= ``MIN_PER_CLASS`` samples per class)."""
    path = Path(path)
    name = path.name
    _check_size(path)
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{name}: not a valid .npz file (it is not a zip archive). Save it with "
                         "np.savez(path, features=..., labels=..., probs=...).")
    try:
        with zipfile.ZipFile(path) as zf:
            members = {Path(i.filename).stem: i for i in zf.infolist()}
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_UNCOMPRESSED_BYTES:
                raise ValueError(f"{name}: the arrays take {total / 2**20:.0f} MB once decompressed, over the "
                                 f"{MAX_UNCOMPRESSED_BYTES // 2**20} MB limit. Subsample or reduce the dimension.")
            missing = [k for k in REQUIRED_KEYS if k not in members]
            if missing:
                found = ", ".join(sorted(members)) or "none"
                raise ValueError(f"{name}: missing array(s) {', '.join(missing)} (found: {found}). Each .npz "
                                 "needs 'features' [N, D] and 'labels' [N]; 'probs' [N, Z] is optional.")
            arrays = {k: _read_member(zf, members[k], name, k) for k in (*REQUIRED_KEYS, *OPTIONAL_KEYS)
                      if k in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ValueError(f"{name}: the .npz archive is damaged ({type(exc).__name__}); save and upload it "
                         "again.") from None
    return _check_arrays(name, arrays["features"], arrays["labels"], arrays.get("probs"))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, key: str) -> np.ndarray:
    """One array of the archive, without unpickling anything."""
    with zf.open(info) as f:
        raw = f.read()
    try:
        return np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise ValueError(f"{name}: '{key}' is an object array (it would need pickle, which is refused "
                             "for safety). Store numbers, or labels as strings/integers.") from None
        raise ValueError(f"{name}: '{key}' is not a readable numpy array ({exc}).") from None
    except (EOFError, OSError):
        raise ValueError(f"{name}: '{key}' is truncated or damaged; save and upload the file again.") from None


def _check_arrays(name: str, features: np.ndarray, labels: np.ndarray, probs):
    if features.dtype.kind not in _NUMERIC:
        raise ValueError(f"{name}: 'features' must be numeric (float or int), got dtype {features.dtype}.")
    if labels.dtype.kind not in _LABEL_KINDS:
        raise ValueError(f"{name}: 'labels' must be integer or string class labels, got dtype {labels.dtype}.")
    if probs is not None and probs.dtype.kind not in _NUMERIC:
        raise ValueError(f"{name}: 'probs' must be numeric probabilities, got dtype {probs.dtype}.")
    if features.ndim != 2:
        raise ValueError(f"{name}: 'features' must be 2-D [N samples, D dimensions], got shape {features.shape}.")
    if labels.ndim != 1:
        raise ValueError(f"{name}: 'labels' must be 1-D [N] (one class label per sample), got shape "
                         f"{labels.shape}. For one-hot labels store their argmax.")
    if features.shape[0] != labels.shape[0]:
        raise ValueError(f"{name}: 'features' has {features.shape[0]} rows but 'labels' has {labels.shape[0]}; "
                         "they must describe the same samples in the same order.")
    if probs is not None and (probs.ndim != 2 or probs.shape[0] != labels.shape[0]):
        raise ValueError(f"{name}: 'probs' must be [N={labels.shape[0]}, Z source classes], got shape "
                         f"{probs.shape}.")
    try:
        checked = validate_inputs(features, labels, probs=probs, min_per_class=MIN_PER_CLASS)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return checked.features, labels, checked.probs


# ----------------------------------------------------------------------------- .csv
def read_scores_csv(path) -> pd.DataFrame:
    """Precomputed estimator scores from a CSV (see :func:`check_scores`)."""
    path = Path(path)
    _check_size(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, nrows=MAX_CSV_ROWS + 1)
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: not a UTF-8 text CSV.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ValueError(f"{path.name}: could not parse the CSV ({str(exc).splitlines()[0][:200]}).") from None
    return check_scores(df, path.name)


def check_scores(df: pd.DataFrame, name: str = "scores") -> pd.DataFrame:
    """A clean score table: ``model`` (str) first, then one float column per estimator (canonical
    names, higher = better, NaN = not computed). Raises ``ValueError`` naming ``name`` for a
    missing model column, unknown estimator columns, non-numeric or infinite values, empty or
    duplicate model names, no estimator column, or more than ``MAX_CSV_ROWS`` rows."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{name}: estimator scores must be a table (model + estimator columns).")
    cols = {c: str(c).strip() for c in df.columns}
    model_cols = [c for c, s in cols.items() if s.lower() == "model"]
    if len(model_cols) != 1:
        raise ValueError(f"{name}: needs exactly one 'model' column (found columns: "
                         f"{', '.join(map(str, df.columns))[:300] or 'none'}).")
    mapping, unknown = {}, []
    for c, s in cols.items():
        if c == model_cols[0]:
            continue
        est = _EST_KEYS.get(re.sub(r"[^a-z0-9]", "", s.lower()))
        (unknown.append(s) if est is None else mapping.setdefault(est, c))
    if unknown:
        raise ValueError(f"{name}: unknown estimator column(s) {', '.join(unknown)[:300]}. Known: "
                         f"{', '.join(ESTIMATORS)}.")
    if not mapping:
        raise ValueError(f"{name}: no estimator column; add at least one of {', '.join(ESTIMATORS)}.")
    if len(df) > MAX_CSV_ROWS:
        raise ValueError(f"{name}: more than {MAX_CSV_ROWS} models; rank at most {MAX_CSV_ROWS} at a time.")
    if len(df) == 0:
        raise ValueError(f"{name}: the table has no rows.")
    models = df[model_cols[0]].astype(str).str.strip()
    if (models == "").any():
        raise ValueError(f"{name}: row {int(np.flatnonzero(models == '')[0]) + 2} has an empty model name.")
    dup = models[models.str.lower().duplicated()]
    if len(dup):
        raise ValueError(f"{name}: model {dup.iloc[0]!r} appears more than once.")
    out = pd.DataFrame({"model": models.to_numpy()})
    for est, c in mapping.items():
        raw = df[c]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            values = raw.astype(np.float64)
        else:
            text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
            empty = text.str.lower().isin(_EMPTY_CELLS)
            values = pd.to_numeric(text.where(~empty, None), errors="coerce")
            bad = values.isna() & ~empty
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise ValueError(f"{name}: column '{cols[c]}' has a non-numeric value {text.iloc[i][:40]!r} "
                                 f"(model {models.iloc[i]!r}). Use numbers; leave the cell empty if not computed.")
        v = values.to_numpy(np.float64)
        if np.isinf(v).any():
            raise ValueError(f"{name}: column '{cols[c]}' has an infinite value; use finite numbers or leave "
                             "the cell empty.")
        out[est] = v
    return out


# ----------------------------------------------------------------------------- dispatch
def _file_key(item) -> str:
    """The identity of one uploaded file (its stored path) for :func:`next_upload_set`."""
    try:
        return str(_path_of(item))
    except ValueError:
        return repr(item)


def next_upload_set(previous, current, add: bool) -> list:
    """The set of files to score after an upload.

    ``previous``: the set before the upload; ``current``: what the file input holds now (the old
    files plus the new ones); ``add``: the user's "add to the current set". Without ``add`` the new
    files replace the previous set (so a bad file does not stay until removed by hand); with it
    they join it. Files are compared by path; order is kept; no duplicates."""
    prev = [previous] if isinstance(previous, (str, Path, Mapping)) else list(previous or [])
    cur = [current] if isinstance(current, (str, Path, Mapping)) else list(current or [])
    before = {_file_key(i) for i in prev}
    new = [i for i in cur if _file_key(i) not in before]
    kept = [i for i in cur if _file_key(i) in before] if add else []
    out, seen = [], set()
    for i in (kept + new) if new or add else cur:
        k = _file_key(i)
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out


def parse_uploads(files: Iterable | None) -> Uploads:
    """Parse what the tab's file input gives: several ``.npz`` or a single ``.csv``.

    Every file is checked: each unusable one gets a message naming it in ``Uploads.errors`` and
    the others are used. Raises ``ValueError`` when nothing is usable (every message, one per
    line), for no file, too many files, or a mix of ``.csv`` and ``.npz``/several ``.csv``."""
    items = [files] if isinstance(files, (str, Path, Mapping)) else list(files or [])
    if not items:
        raise ValueError("Upload one .npz per candidate model (features, labels, optional probs) or one CSV "
                         "of precomputed estimator scores.")
    if len(items) > MAX_FILES:
        raise ValueError(f"{len(items)} files uploaded; at most {MAX_FILES} candidate models at a time.")
    errors: list[str] = []
    paths = []
    for i in items:
        try:
            paths.append(_path_of(i))
        except ValueError as exc:
            errors.append(str(exc))
    good = []
    for p in paths:
        if p.suffix.lower() in (".npz", ".csv"):
            good.append(p)
        else:
            errors.append(f"{p.name}: unsupported file type; upload .npz files (one per model) or one .csv of "
                          "estimator scores.")
    csvs = [p for p in good if p.suffix.lower() == ".csv"]
    if csvs and len(good) > 1:
        raise ValueError("\n".join(errors + ["Upload either .npz files (one per model) or a single .csv of "
                                             "estimator scores, not both and not several CSVs."]))
    if csvs:
        try:
            return Uploads(scores=read_scores_csv(csvs[0]), errors=errors)
        except ValueError as exc:
            raise ValueError("\n".join([str(exc), *errors])) from None
    arrays: dict[str, tuple] = {}
    seen: dict[str, str] = {}
    for p in good:
        m = model_name(p)
        if not m:
            errors.append(f"{p.name}: the file name must be the model name (e.g. resnet50.npz).")
            continue
        if m.lower() in seen:
            errors.append(f"{p.name}: model {m!r} was uploaded twice (also as {seen[m.lower()]}); the first is used.")
            continue
        try:
            arrays[m] = read_npz(p)
            seen[m.lower()] = p.name
        except ValueError as exc:
            errors.append(str(exc))
    if not arrays:
        raise ValueError("\n".join(errors) or "No usable file was uploaded.")
    return Uploads(arrays=arrays, notices=_consistency_notices(arrays), errors=errors)


def _consistency_notices(arrays: dict[str, tuple]) -> list[str]:
    """Estimators compare models only on the same samples: flag uploads whose labels differ."""
    it = iter(arrays.items())
    first_name, (_, first_labels, _) = next(it)
    differ = [m for m, (_, lab, _) in it
              if lab.shape != first_labels.shape or not np.array_equal(lab, first_labels)]
    if not differ:
        return []
    return [f"The labels of {', '.join(differ[:5])} differ from those of {first_name}: estimator values are "
            "only comparable across models computed on the same samples."]
