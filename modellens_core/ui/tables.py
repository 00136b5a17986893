"""Tables as people read them: number formats, which columns a table shows, column widths, and the
CSS that keeps headers and numbers whole (pure display formatting; no rule of what is shown).

Gradio's Dataframe sizes a column from ``column_widths`` ("20%", "120px") or, for "auto", from its
content laid out without wrapping: numeric columns are "auto" (so a number never wraps) and the
long text columns take a share of the width and wrap at spaces. Headers wrap only at spaces (Gradio's
default ``word-break: break-word`` split "rank" into "ran k" in a narrow column).
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

_CSV_DIR = Path(tempfile.gettempdir()) / "modellens-csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # CSV text cells starting so get a leading quote
TABLE_CLASS = "ml-table"     # elem_classes of every table the app shows

# The Recommend results table: the default view, then the columns only the "All columns" view adds
# (appended, so one list of widths serves both views).
RESULT_COLUMNS = ["rank", "model", "predicted z", "params", "family", "modality", "observed", "evidence",
                  "unseen"]
EXTRA_RESULT_COLUMNS = ["prior", "residual"]
ALL_RESULT_COLUMNS = RESULT_COLUMNS + EXTRA_RESULT_COLUMNS
RESULT_WIDTHS = ["auto", "19%", "auto", "auto", "auto", "auto", "13%", "22%", "auto", "auto", "auto"]

POOL_HEADERS = ["current", "current size", "current score", "replacement", "replacement size",
                "replacement score", "gain", "note"]
POOL_WIDTHS = ["17%", "auto", "auto", "17%", "auto", "auto", "auto", "22%"]

OBSERVED_WIDTHS = ["18%", "15%", "10%", "13%", "9%", "auto", "auto", "auto", "auto"]

# (elem_id, indices of its numeric columns): these never wrap (CSS below)
NUMERIC_COLUMNS = {
    "recommend-table": [ALL_RESULT_COLUMNS.index(c) for c in ("rank", "predicted z", "params", "prior", "residual")],
    "pool-table": [1, 2, 4, 5, 6],
    "profile-observed": [5, 7],
    "profile-facts": [1, 5, 6],
}


def table_css() -> str:
    """CSS for every ``ml-table``: headers break only at spaces, text cells at spaces (a single
    too-long word, e.g. a long model name, still breaks rather than being cut off), numbers never."""
    numeric = ", ".join(f"#{t} [data-col='{i}'] span, #{t} [data-testid='header-{i}'] span"
                        for t, cols in NUMERIC_COLUMNS.items() for i in cols)
    return (f".{TABLE_CLASS} .header-cell span {{ word-break: normal; overflow-wrap: normal; hyphens: none; }}\n"
            f".{TABLE_CLASS} .body-cell span.wrap {{ word-break: normal; overflow-wrap: anywhere; }}\n"
            f"{numeric} {{ white-space: nowrap; overflow-wrap: normal; word-break: normal; }}\n"
            "#recommend-table [data-col='1'] { cursor: pointer; }\n"
            "#recommend-table [data-col='1'] span { cursor: pointer; text-decoration: underline dotted; }\n")


# ----------------------------------------------------------------------------- numbers
def fmt_params(p) -> str:
    """Billions of parameters for people, 2 significant digits: '7B', '7.6B', '86M', '1.2T', '175B';
    '' when unknown."""
    try:
        v = float(p) * 1e9
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(v) or v < 0:
        return ""
    units = (("", 1.0), ("K", 1e3), ("M", 1e6), ("B", 1e9), ("T", 1e12))
    k = max([i for i, (_, scale) in enumerate(units) if v >= scale], default=0)

    def short(x: float) -> str:   # 2 significant digits, whole numbers from 100 on
        t = f"{x:.2g}"
        return f"{x:.0f}" if "e" in t else t

    text = short(v / units[k][1])
    if float(text) >= 1000 and k + 1 < len(units):    # 999.6M -> 1B, not 1000M
        k += 1
        text = short(v / units[k][1])
    return text + units[k][0]


def round2(values) -> list:
    """Scores and z to 2 decimals, still numbers (the table sorts them as numbers); NaN -> None."""
    a = np.round(np.asarray(values, dtype=np.float64), 2)   # float64 first: float32 would print 1.9459999799...
    return [None if not math.isfinite(x) else x for x in a.tolist()]


def sig3(x):
    """A raw metric value to 3 significant digits (0.8734 -> 0.873, 87.34 -> 87.3), still a number."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return x
    if not math.isfinite(v):
        return None
    return float(f"{v:.3g}")


# ----------------------------------------------------------------------------- the results table
def results_display(table: pd.DataFrame, all_columns: bool = False) -> dict:
    """The Recommend results as shown: ``{"headers", "data"}`` (what the Dataframe component takes
    without converting a DataFrame again): the default columns, or every column when asked."""
    headers = ALL_RESULT_COLUMNS if all_columns else RESULT_COLUMNS
    if table.empty:
        return {"headers": list(headers), "data": []}
    unseen = ~(table["seen"].to_numpy(bool) & table["in_catalog"].to_numpy(bool))
    cols = {"rank": table["rank"].astype(int).tolist(), "model": table["model"].tolist(),
            "predicted z": round2(table["predicted_z"]), "params": [fmt_params(p) for p in table["params_b"].tolist()],
            "family": table["family"].tolist(), "modality": table["modality"].tolist(),
            "observed": table["observed"].tolist(), "evidence": table["evidence"].tolist(),
            "unseen": ["unseen" if u else "" for u in unseen],
            "prior": round2(table["prior"]), "residual": round2(table["residual"])}
    return {"headers": list(headers), "data": [list(row) for row in zip(*(cols[h] for h in headers))]}


def narrow(shown: dict | None) -> dict | None:
    """The default view of a full results display (for the "All columns" checkbox, no recomputing)."""
    if not shown:
        return shown
    keep = [shown["headers"].index(h) for h in RESULT_COLUMNS if h in shown["headers"]]
    return {"headers": [shown["headers"][i] for i in keep], "data": [[r[i] for i in keep] for r in shown["data"]]}


def write_csv(table) -> str | None:
    """The displayed table (a DataFrame, or ``{"headers", "data"}``) as a CSV file (name from its
    content, so repeats reuse one file). Cells that a spreadsheet would run as a formula (=, +, -,
    @) are prefixed with a quote. Plain ``csv`` over at most a few hundred rows."""
    if isinstance(table, pd.DataFrame):
        headers, rows = list(table.columns), list(table.itertuples(index=False, name=None))
    elif table:
        headers, rows = table["headers"], table["data"]
    else:
        headers, rows = [], []
    if not rows:
        return None
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    for row in rows:
        w.writerow(["'" + v if isinstance(v, str) and v[:1] in FORMULA_START else
                    ("" if v is None or (isinstance(v, float) and v != v) else v) for v in row])
    data = buf.getvalue().encode("utf-8")
    _CSV_DIR.mkdir(parents=True, exist_ok=True)
    path = _CSV_DIR / f"modellens-ranking-{hashlib.sha1(data).hexdigest()[:12]}.csv"
    if not path.exists():
        path.write_bytes(data)
    return str(path)


def results_from_csv(path) -> dict | None:
    """The full results display read back from the CSV of an answer (every column, written by
    :func:`write_csv`): the "All columns" view without recomputing, and without a second output on
    the ``/recommend`` endpoint. Anything but such a file (by name and header) gives None."""
    path = path.get("path") if isinstance(path, dict) else path
    if not path or not Path(str(path)).name.startswith("modellens-ranking-") or not str(path).endswith(".csv"):
        return None
    try:
        with open(path, newline="", encoding="utf-8") as f:
            lines = list(csv.reader(f))
    except OSError:
        return None
    if not lines or lines[0] != ALL_RESULT_COLUMNS:
        return None
    headers, numeric = lines[0], {"rank": int, "predicted z": float, "prior": float, "residual": float}

    def cell(h, v):
        if h in numeric:
            try:
                return numeric[h](v) if v != "" else None
            except ValueError:
                return None
        return v[1:] if v[:1] == "'" and v[1:2] and v[1:2] in FORMULA_START else v
    return {"headers": headers, "data": [[cell(h, v) for h, v in zip(headers, row)] for row in lines[1:]]}
