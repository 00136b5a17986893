"""Adapter for RULER (``ruler``): long-context accuracy (%, higher is better) per context length.

Source: ``NVIDIA/RULER`` README main results table, saved as ``main_results.md`` (unchanged
Markdown). Columns: ``Models`` (a Markdown link, then the size in parentheses: ``(7B)`` or
``(94B/398B)`` = active/total), ``Claimed Length``, ``Effective Length``, accuracy at ``4K`` to
``128K`` tokens, then ``Avg.``, ``wAvg. (inc)``, ``wAvg. (dec)``.

Design: one dataset ``RULER`` (the id IBM BenchBench's ``ruler_bench`` board uses, so the
benchmark has one id across sources), ``subset`` = context length (``4K`` ... ``128K``): a
score at 128K is never compared with one at 4K. Metric ``accuracy`` (the mean over RULER's
tasks at that length, as published). Model = the Hugging Face repo id of the link where it is
one (the two ``Llama3.1`` rows are ``meta-llama/Meta-Llama-3.1-{8B,70B}-Instruct``), else the
display name (``Gemini-1.5-pro``, ``FILM-7B``, whose link is a paper). ``params_b`` = total size
(the second number of ``active/total``). ``open_weights``: True for a Hugging Face repo, False
for a link to a vendor's API documentation (:data:`RULER_API_HOSTS`), unknown otherwise.

Traps: rows after the first start with ``[`` rather than ``|`` and some lack the closing ``|``;
values may be wrapped in ``<ins>...</ins>`` (above the Llama2-7B threshold) or be ``-``
("non_numeric"); the first row (Llama2-7B-chat, 4K only) is the threshold reference: its 4K score
is a real measurement and kept, its missing cells are "nan"; ``*`` after a name marks results
reported by the model's authors (kept, mark removed); ``Avg.`` and the weighted averages (with
ranks in bold, ``TBD``) are aggregates; claimed/effective lengths are metadata (not counted).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import datasets_frame, dedupe_records, models_frame
from .board_links import link_identity, split_markdown_link
from .llm_helpers import count_cells, emit_records

RULER_FILE = "main_results.md"
RULER_DATASET, RULER_TASK, RULER_METRIC = "RULER", "long-context", "accuracy"
RULER_AGGREGATES = ("Avg.", "wAvg. (inc)", "wAvg. (dec)")
RULER_API_HOSTS = ("platform.openai.com", "ai.google.dev")    # API docs: closed models
RULER_DESCRIPTION = (
    "Synthetic long-context tests generated at a set input length (4K to 128K tokens): finding one or "
    "many needles (keys, values) in long distractor text, tracing variable chains, aggregating common or "
    "frequent words, and answering questions over long document collections. The score is accuracy "
    "averaged over the tasks at one length (the subset); English text.")
_LENGTH = re.compile(r"^\d+K$")
_MARKUP = re.compile(r"</?ins>|\*\*")
_SIZE = re.compile(r"\(\s*(?:[\d.]+B\s*/\s*)?([\d.]+)B\s*\)", re.IGNORECASE)


def markdown_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows (padded to the header's width) of the first Markdown table."""
    header: list[str] = []
    rows: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if header and not line:
            break                                                       # end of the table
        if "|" not in line:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if not header:
            header = cells
        elif all(re.fullmatch(r":?-{3,}:?", c) for c in cells if c):
            continue                                                    # the separator row
        else:
            rows.append((cells + [""] * len(header))[:len(header)])
    return header, rows


def _model(cell: str, meta: dict) -> str:
    """Model id of a ``Models`` cell; fills ``meta`` (params, organisation, open weights)."""
    text, url, rest = split_markdown_link(cell)
    display = text.replace("*", "").strip()
    model, is_hf = link_identity(display, url)
    size = _SIZE.search(rest)
    closed = any(h in url for h in RULER_API_HOSTS)
    meta.setdefault(model, {"params_b": float(size.group(1)) if size else None,
                            "organization": model.split("/")[0] if is_hf else None,
                            "open_weights": True if is_hf else (False if closed else None)})
    return model


def load_ruler(source_dir: Path) -> SourceResult:
    """RULER accuracy (%) per model and context length (subset)."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    text = read_file(source_dir / RULER_FILE, lambda p: p.read_text(encoding="utf-8"), report)
    header, rows = markdown_rows(text or "")
    if not rows:
        return make_result("ruler", [], [], [], report)
    table = pd.DataFrame(rows, columns=header)
    lengths = [c for c in header if _LENGTH.match(c)]
    aggs = [c for c in header if c in RULER_AGGREGATES]
    count_cells(table[aggs].mask(table[aggs] == ""), aggs, "aggregate_column", report)
    meta: dict[str, dict] = {}
    models = [_model(c, meta) for c in table[header[0]]]
    long = pd.DataFrame([{"model": m, "dataset": RULER_DATASET, "subset": col, "task": RULER_TASK,
                          "metric": RULER_METRIC, "cell": _MARKUP.sub("", cell).strip() or None,
                          "higher_is_better": True}
                         for m, (_, row) in zip(models, table.iterrows()) for col, cell in row[lengths].items()])
    rec = dedupe_records(emit_records(long, report), report)
    datasets = datasets_frame(rec, {RULER_DATASET: {"family": "ruler", "languages": "en",
                                                    "description": RULER_DESCRIPTION}})
    return make_result("ruler", rec, models_frame(rec, meta, modality="text", pipeline_tag="text-generation"),
                       datasets, report)
