"""User input as the core accepts it: cleaned text, checked numbers, and the one error type
whose message is shown to the user as is."""
from __future__ import annotations

import math
import re
import unicodedata

MAX_DESCRIPTION_CHARS = 4000   # longer text is truncated (the encoder reads ~128 word pieces anyway)
MAX_SUBSET_CHARS = 200         # a subset is a short tag ("hin_Deva-eng_Latn", "fr", "5-shot")
MAX_NAME_CHARS = 300           # a model name as typed
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InputError(ValueError):
    """Bad user input; the message is shown to the user as is."""


def clean_text(text, limit: int = MAX_DESCRIPTION_CHARS) -> tuple[str, list[str]]:
    """Printable, valid UTF-8 text of at most ``limit`` characters, and notices for the user."""
    notices = []
    s = "" if text is None else str(text)
    s = s.encode("utf-8", "replace").decode("utf-8")          # lone surrogates -> '?'
    s = unicodedata.normalize("NFC", _CONTROL.sub(" ", s)).strip()
    if len(s) > limit:
        notices.append(f"The description was {len(s):,} characters long; only the first {limit:,} were used.")
        s = s[:limit]
    return s, notices


def shown(value, limit: int = 80) -> str:
    """User text quoted back in a notice: cleaned (no control characters) and at most ``limit`` characters."""
    s = clean_text(value, 10 * limit)[0]
    return s if len(s) <= limit else s[:limit] + "…"


def choice(value) -> str | None:
    """A task or metric choice normalised ("Speech recognition" -> "speech-recognition"); None
    for empty, "auto", "none" and "infer ..." (the description decides)."""
    if value is None:
        return None
    s = str(value).strip().lower()
    if not s or s.startswith("infer") or s in ("auto", "none"):
        return None
    return re.sub(r"[\s_]+", "-", s)


def name_lines(names) -> list[str]:
    """Model names from a list or from text with one name per line, cleaned, empty ones dropped."""
    if names is None:
        return []
    items = str(names).splitlines() if isinstance(names, str) else list(names)
    return [n for n in (clean_text(x, MAX_NAME_CHARS)[0] for x in items) if n]


def top_k(value) -> int | None:
    """The number of rows to return (None = all); at least 1. Refuses what is not a whole number."""
    if value is None:
        return None
    try:
        return max(1, int(value))
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"The number of models to return must be a whole number, got {value!r}.") from None


def size_bounds(min_params_b, max_params_b) -> tuple[float | None, float | None]:
    """(minimum, maximum) size in billions of parameters, None where unbounded."""
    lo, hi = _bound(min_params_b, "minimum size"), _bound(max_params_b, "maximum size")
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"The minimum size ({lo:g}B) is larger than the maximum size ({hi:g}B).")
    return lo, hi


def _bound(value, what: str):
    """A size bound in billions, or None. Negative or NaN bounds are refused with a message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"The {what} must be a number of billions of parameters, got {value!r}.") from None
    if math.isnan(v):
        raise InputError(f"The {what} is not a number (NaN).")
    if v < 0:
        raise InputError(f"The {what} cannot be negative ({v:g}B).")
    return None if math.isinf(v) else v
