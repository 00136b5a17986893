"""Small helpers shared by the Recommend and Model profile tabs: escaping user text for
Markdown, formatting tables for display, the user-facing error boundary, finding the tab bar."""
from __future__ import annotations

import functools
import html
import logging
import re

import gradio as gr
import pandas as pd

from ..serving.inputs import InputError
from .tables import fmt_params  # noqa: F401  (re-exported: the tabs import it from here)

log = logging.getLogger("modellens.ui")

# Markdown punctuation that could turn user text into links, images, emphasis, code or tables
# (line-start syntax such as '#' or '-' cannot occur: user text is never placed at a line start)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()|~!])")


def md_escape(text, limit: int = 300) -> str:
    """User text as inert Markdown: punctuation backslash-escaped, then &, < and > turned into
    entities (so no HTML tag survives), whitespace flattened, cut to ``limit`` characters."""
    s = "" if text is None else " ".join(str(text).split())
    if len(s) > limit:
        s = s[:limit] + "…"
    return html.escape(_MD_SPECIAL.sub(r"\\\1", s), quote=False)


def round_floats(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Float columns rounded for display (values stay numeric so the table sorts correctly)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].astype("float64").round(digits)  # float32 would print 1.9459999799...
    return out


def enclosing_tabs() -> gr.Tabs | None:
    """The ``gr.Tabs`` the tab being rendered sits in (the app builds it without a handle), or None.
    Call inside ``render(demo)``."""
    block = gr.context.Context.block
    while block is not None and not isinstance(block, gr.Tabs):
        block = getattr(block, "parent", None)
    return block


def user_facing(fallback, toast: bool = True):
    """Error boundary for an event handler.

    ``InputError`` (bad input; its message is written for users) -> the handler returns
    ``fallback(message)`` (its outputs with the message in the status line) and, when ``toast``,
    a warning toast is shown (tabs whose status line sits near the top pass ``toast=False``: the
    toast would cover the page's intro). Any other exception is logged with its traceback on the server and the user sees a
    generic message (never the traceback: ``show_error`` is off).
    """
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except InputError as exc:
                msg = str(exc)
                try:
                    if toast:
                        gr.Warning(msg)
                except Exception:  # outside a request (direct calls in tests): the status line suffices
                    pass
                return fallback(msg)
            except gr.Error:
                raise
            except Exception:
                log.exception("unexpected error in %s", fn.__name__)
                raise gr.Error("Something went wrong on the server while handling this request; it was "
                               "logged. Please try again or simplify the input.") from None
        return inner
    return wrap


def warn_line(message: str) -> str:
    """A status line for a user-facing problem (message already written for users; escaped here)."""
    return f"⚠️ {md_escape(message, 1000)}"


def empty_frame(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
