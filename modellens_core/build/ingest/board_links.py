"""Links in leaderboard cells: model identity from a Hugging Face URL, and Markdown links.

Used by the BFCL and RULER adapters (``board_bfcl``, ``board_ruler``). A row that links to a
Hugging Face *model repository* is that repository's model: :func:`link_identity` returns the
repo id (``org/name``, spelled as linked; case variants meet centrally in
:mod:`modellens_core.build.canonical`). Links to an organisation page (``huggingface.co/Nanbeige``),
a collection, a Space, a dataset or a paper are not model repos; such rows, and rows linking to a
vendor page, keep their display name. :func:`split_markdown_link` reads ``[text](url) rest`` with
URLs that themselves contain parentheses (``...Pro%20(Preview%20only),-Text...``).
"""
from __future__ import annotations

import re

from .board_evalplus import hf_id_from_link

# first path segments of huggingface.co URLs that are not model repos
_NOT_MODEL_PATHS = frozenset({"collections", "spaces", "datasets", "papers", "blog", "docs", "models",
                              "organizations", "posts", "learn", "tasks", "settings"})
_MD_LINK_START = re.compile(r"\[([^\]]*)\]\(")


def hf_repo_id(url) -> str | None:
    """``org/name`` of a Hugging Face model-repository URL, else None."""
    hf = hf_id_from_link(url)
    if not hf or hf.split("/")[0].lower() in _NOT_MODEL_PATHS:
        return None
    return hf


def link_identity(display: str, url) -> tuple[str, bool]:
    """(model name, has_hf_id): the HF repo id of ``url`` where it is one, else ``display``."""
    hf = hf_repo_id(url)
    return (hf, True) if hf else (str(display).strip(), False)


def split_markdown_link(cell: str) -> tuple[str, str, str]:
    """``"[text](url) rest"`` -> ``(text, url, rest)``; balanced parentheses inside the URL are
    kept. A cell without a link gives ``(cell, "", "")``."""
    s = str(cell).strip()
    m = _MD_LINK_START.match(s)
    if not m:
        return s, "", ""
    depth, i = 1, m.end()
    while i < len(s) and depth:
        depth += {"(": 1, ")": -1}.get(s[i], 0)
        i += 1
    if depth:                                   # unclosed: the rest of the cell is the URL
        return m.group(1).strip(), s[m.end():].strip(), ""
    return m.group(1).strip(), s[m.end():i - 1].strip(), s[i:].strip()
