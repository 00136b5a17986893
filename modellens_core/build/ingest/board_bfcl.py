"""Adapter for the Berkeley Function Calling Leaderboard (``bfcl``): tool-use accuracy (%, higher
is better) per sub-category, for each leaderboard version.

Source: ``ShishirPatil/gorilla`` gh-pages ``data_overall.csv`` at two updates, one folder each
(``v3_2025-04-25/``, ``v4_2025-12-16/``): a plain wide table, one row per (model, call mode),
``"77.47%"`` strings, ``N/A`` where not run (read as "nan").

Design:
* **Version = dataset.** v3 and v4 test sets differ, so each version's sub-categories are their
  own datasets (``BFCL v3 Live Simple AST``), one family ``bfcl``.
* **Sub-category = dataset.** Simple / multiple / parallel / parallel-multiple calls (non-live
  expert-written and live user-contributed), the four multi-turn settings, web search, memory
  backends, relevance and irrelevance detection are distinct evaluations a practitioner asks
  about separately, each with its own description (:data:`BFCL_SUBSCORES`).
* **Call mode = subset** (``FC``: native function calling; ``prompt``: function definitions in
  the prompt), so FC and prompted runs of one model never share a group and the model keeps one
  identity. ``(FC thinking)`` / ``(Prompt + Thinking)`` are the reasoning setting of that call
  mode (BFCL's own model table lists them as FC / Prompt): same subset; were the plain row of the
  same model and mode also listed, it would win and the thinking row count as "duplicate".
  Rows without a mode take it from BFCL's model table (:data:`BFCL_UNMARKED_MODES`).
* **Identity:** a ``Model Link`` to a Hugging Face model repo gives the model id (``watt-tool-70B
  (FC)`` -> ``watt-ai/watt-tool-70B``); otherwise the display name without its tags. A third-party
  serving tag (``(Novita)``) is the same weights behind another provider: such a row counts as
  "duplicate" where the model's own row exists for that mode, else it is kept.
* ``License`` "Proprietary" -> ``open_weights`` False; any other licence -> True.

Traps: ``Overall Acc`` and the category means (``Non-Live AST Acc``, ``Live Acc``, ``Multi Turn
Acc``, ``Web Search Acc``, ``Memory Acc``) are aggregates ("aggregate_column"); cost, latency and
format-sensitivity spread (max delta, standard deviation) are not quality scores ("excluded");
``Rank``, ``Model``, ``Model Link``, ``Organization``, ``License`` are metadata (not counted).
A column of a future snapshot that none of these lists knows is "excluded" with a note.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .base import DropReport, SourceResult, make_result, read_file, require_dir
from .board_helpers import datasets_frame, dedupe_records, models_frame
from .board_links import link_identity
from .llm_helpers import count_cells, emit_records

BFCL_FILE = "data_overall.csv"
BFCL_TASK, BFCL_METRIC, BFCL_FAMILY = "tool-use", "accuracy", "bfcl"
BFCL_META = ("Rank", "Model", "Model Link", "Organization", "License")
_AST_CALLS = {  # AST sub-category -> what the model must emit
    "Simple": "emit one call to the one given function",
    "Multiple": "pick the right function among several candidates and emit one call",
    "Parallel": "call the given function several times in the same turn",
    "Parallel Multiple": "emit several calls in the same turn, picking among several candidate functions",
}
_AST_SETS = {"Non-Live": "expert-written requests with Python, Java or JavaScript function definitions",
             "Live": "real user-contributed requests and function definitions"}
BFCL_SUBSCORES = {  # column -> what it evaluates (our words)
    **{f"{live} {kind} AST": f"Function calling on {cases}: the model must {calls}, with name and arguments "
                             "matching the expected calls (checked on the syntax tree)"
       for live, cases in _AST_SETS.items() for kind, calls in _AST_CALLS.items()},
    "Multi Turn Base": "Multi-turn, multi-step tool use in a conversation with simulated stateful APIs (file "
                       "system, messaging, trading, travel booking); scored on the resulting API state and "
                       "answers",
    "Multi Turn Miss Func": "Multi-turn tool use where a function the task needs is withheld at first: the model "
                            "must notice it cannot act, then use the function once it is provided",
    "Multi Turn Miss Param": "Multi-turn tool use where the user leaves out a required argument: the model must "
                             "ask for it instead of guessing",
    "Multi Turn Long Context": "Multi-turn tool use where tools return long, cluttered outputs: the model must "
                               "find what it needs in long function responses",
    "Web Search Base": "Agentic multi-hop question answering with web-search and page-fetch tools: the model "
                       "plans searches, reads results and must give the right final answer",
    "Web Search No Snippet": "Agentic multi-hop web-search question answering where results come without "
                             "snippets, so the model must fetch and read the pages",
    "Memory KV": "Agentic memory: the model stores facts from earlier sessions with key-value memory tools and "
                 "must retrieve them to answer later questions",
    "Memory Vector": "Agentic memory: the model stores facts from earlier sessions in a vector store through "
                     "tools and must retrieve them to answer later questions",
    "Memory Recursive Summarization": "Agentic memory: the model keeps a recursively updated summary of earlier "
                                      "sessions and must answer later questions from it",
    "Relevance Detection": "Function-calling requests that one of the given functions can serve: the model "
                           "must call it rather than decline",
    "Irrelevance Detection": "Function-calling requests that none of the given functions can serve: the model "
                             "must decline rather than invent a call",
}
_AGGREGATE = re.compile(r"^Overall|\bAcc$")                              # Overall Acc, category means
_NON_SCORE = re.compile(r"cost|latency|format sensitivity", re.IGNORECASE)  # not quality scores
_TAG = re.compile(r"\s*\(([^()]*)\)\s*$")
_VERSION_DIR = re.compile(r"^(?P<version>v\d+)_(?P<date>\d{4}-\d{2}-\d{2})$")
# mode of rows listed without one, from BFCL's supported-models table (name prefix -> mode)
BFCL_UNMARKED_MODES = (("BitAgent-Bounty-", "FC"), ("BitAgent-", "prompt"), ("Arch-Agent-", "FC"),
                       ("CoALM-", "prompt"), ("GoGoAgent", "prompt"), ("Haha-", "prompt"),
                       ("Mistral-Medium-", "prompt"))


def split_label(label: str) -> tuple[str, str, bool]:
    """``"Qwen/QwQ-32B (FC) (Novita)"`` -> ("Qwen/QwQ-32B", "FC", True): display name, call mode
    (FC / prompt / "" when unknown) and whether the row is a variant (thinking or a provider tag)."""
    name, tags = str(label).strip(), []
    while (m := _TAG.search(name)) is not None:
        tags.insert(0, m.group(1).strip())
        name = name[:m.start()]
    mode, variant = "", False
    for tag in tags:
        first = tag.split()[0].lower() if tag.split() else ""
        if first in ("fc", "prompt") and not mode:
            mode = "FC" if first == "fc" else "prompt"
            variant |= "thinking" in tag.lower()
        else:
            variant = True                      # provider (Novita) or another qualifier
    if not mode:
        mode = next((m for prefix, m in BFCL_UNMARKED_MODES if name.startswith(prefix)), "")
    return name.strip(), mode, variant


def _columns(df: pd.DataFrame, report: DropReport, where: str) -> tuple[list, list, list]:
    """(sub-score, aggregate, non-score) columns; unknown columns are non-scores with a note."""
    subs, aggs, other = [], [], []
    for col in df.columns:
        if col in BFCL_META:
            continue
        if col in BFCL_SUBSCORES:
            subs.append(col)
        elif _AGGREGATE.search(col):
            aggs.append(col)
        else:
            other.append(col)
            if not _NON_SCORE.search(col):
                report.notes.append(f"{where}: unknown column {col!r} excluded")
    return subs, aggs, other


def _read_version(path: Path, version: str, report: DropReport, meta: dict) -> pd.DataFrame:
    """One snapshot -> long frame (KEY + cell + variant flag); aggregates and non-scores counted."""
    df = read_file(path, pd.read_csv, report)
    if df is None:
        return pd.DataFrame()
    subs, aggs, other = _columns(df, report, path.parent.name)
    count_cells(df, aggs, "aggregate_column", report)
    count_cells(df, other, "excluded", report)
    rows = []
    for row in df.to_dict("records"):
        name, mode, variant = split_label(row["Model"])
        model, _ = link_identity(name, row.get("Model Link"))
        if not mode:
            report.notes.append(f"{path.parent.name}: no call mode for {row['Model']!r} (subset '')")
        lic = row.get("License")
        lic = None if pd.isna(lic) else str(lic).strip()
        meta.setdefault(model, {"organization": row.get("Organization"), "license": lic,
                                "open_weights": None if not lic else lic.lower() != "proprietary"})
        rows += [{"model": model, "dataset": f"BFCL {version} {col}", "subset": mode, "task": BFCL_TASK,
                  "metric": BFCL_METRIC, "cell": row[col], "higher_is_better": True, "variant": variant}
                 for col in subs]
    return pd.DataFrame(rows)


def _versions(source_dir: Path) -> list[tuple[str, str, Path]]:
    """(version, snapshot date, file) per version folder, oldest version first."""
    out = []
    for d in sorted(source_dir.iterdir()):
        m = _VERSION_DIR.match(d.name)
        if d.is_dir() and m:
            out.append((m.group("version"), m.group("date"), d / BFCL_FILE))
    return sorted(out, key=lambda t: int(t[0][1:]))


def _dataset_meta(version: str, date: str) -> dict[str, dict]:
    return {f"BFCL {version} {col}": {
        "family": BFCL_FAMILY, "languages": "en",
        "description": f"{text}. Part of the Berkeley Function Calling Leaderboard (BFCL) {version} for "
                       f"tool use, leaderboard of {date}; English requests, accuracy in %."}
        for col, text in BFCL_SUBSCORES.items()}


def load_bfcl(source_dir: Path) -> SourceResult:
    """BFCL sub-category accuracies (%), one dataset per (version, sub-category), subset = call mode."""
    source_dir = require_dir(source_dir)
    report = DropReport()
    meta: dict[str, dict] = {}
    frames, ds_meta = [], {}
    for version, date, path in _versions(source_dir):
        frames.append(_read_version(path, version, report, meta))
        ds_meta.update(_dataset_meta(version, date))
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if long.empty:
        return make_result("bfcl", [], [], [], report)
    long = long.sort_values("variant", kind="stable")     # a model's own plain row comes first
    rec = dedupe_records(emit_records(long, report), report)
    models = models_frame(rec, meta, modality="text", pipeline_tag="text-generation")
    datasets = datasets_frame(rec, ds_meta)
    return make_result("bfcl", rec, models, datasets, report)
