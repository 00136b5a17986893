"""Atlas tab: the learned map and the description-only map side by side, the current query
placed in both as a star, search, and a force-directed view of the query's neighbourhood.

Coordinates come from ``assets/atlas/`` (built offline by ``build-atlas``); this module only
reads them (:class:`modellens_core.serving.atlas.Atlas`) and draws. All text that reaches a plotly
label or hover is HTML-escaped: names come from public sources and the query from the user.
"""
from __future__ import annotations

import html
import logging
import threading

import gradio as gr
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from gradio.context import get_render_context
from plotly.colors import qualitative

from ..serving.atlas import Atlas, neighbourhood
from ..serving.inputs import InputError
from ..serving.request import RankRequest
from .render import md_escape
from .state import assets_dir, checkpoints_dir, recommender

EXAMPLE = "English product reviews labelled positive or negative by sentiment."
COLOUR_CHOICES = ["family", "task domain", "modality"]
TOP_FAMILIES = 12                  # families with their own colour; the rest are "other"
K_MODELS, K_DATASETS = 10, 5       # neighbourhood view: top models, nearest datasets
MAX_LABELS = 12                    # search hits that get a text label on the map
MAX_HITS = 50                      # search hits highlighted
PALETTE = qualitative.Dark24 + qualitative.Light24
EXPLAIN = (
    "**How to read the maps.** Each dot is a model, each diamond a dataset. *Learned* coordinates are a "
    "UMAP of the ranker's own bilinear vectors: a model's comes from its ID, name tokens, description, size "
    "and family; a dataset's from its ID, description, main task and metric. A model and a dataset close "
    "together there are predicted to match well, and models close together are ranked alike. "
    "*Description-only* coordinates are a UMAP of the frozen MiniLM sentence vectors of the catalog "
    "descriptions alone: what text similarity sees before any leaderboard was read. The star is your "
    "description, placed at the similarity-weighted mean of its nearest datasets in each map.")

log = logging.getLogger("modellens.ui")
_lock = threading.Lock()
_cache: dict = {}


def esc(text, limit: int = 200) -> str:
    """HTML-escaped, length-capped text for plotly labels (plotly renders a subset of HTML)."""
    s = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    return html.escape(s[:limit] + ("..." if len(s) > limit else ""), quote=True)


def when_opened(demo: gr.Blocks, fn, inputs: list, outputs: list) -> None:
    """Fill ``outputs`` the first time the enclosing tab is opened (on page load when not inside a
    tab): big figures are not sent to visitors who never open the tab."""
    done = gr.State(False)

    def first(already, *args):
        if already:
            return (*[gr.skip()] * len(outputs), True)
        return (*fn(*args), True)

    parent = get_render_context()
    trigger = parent.select if isinstance(parent, gr.Tab) else demo.load
    trigger(first, [done, *inputs], [*outputs, done], api_visibility="private", show_progress="minimal")


# --- data (loaded once per assets folder) ---------------------------------------------------
def atlas() -> Atlas:
    """The process-wide Atlas with its hover texts; FileNotFoundError when it is not built."""
    key = str(assets_dir())
    with _lock:
        if key not in _cache:
            a = Atlas.load(assets_dir())
            _cache[key] = {"atlas": a, "hover": hover_texts(a.points),
                           "fresh": a.matches_checkpoint(checkpoints_dir()), "colours": {}}
        return _cache[key]["atlas"]


def _entry() -> dict:
    atlas()
    return _cache[str(assets_dir())]


def _size(params_b, bucket) -> str:
    if isinstance(params_b, float) and np.isfinite(params_b):
        return f"{params_b:g}B"
    return "size ?"


def hover_texts(points: pd.DataFrame) -> np.ndarray:
    """One escaped, single-line hover string per point: name · family · size · task for a model,
    name · dataset · task for a dataset. Kept short on purpose: each map sends one per point
    (about 27k), and plotly's JSON writes every '<' of a tag as six characters."""
    out = []
    for n, k, f, p, b, t in zip(points["name"], points["kind"], points["family"], points["params_b"],
                                points["size_bucket"], points["task"]):
        parts = [esc(n, 80)] + ([esc(f, 40) or "family ?", esc(_size(p, b), 40)] if k == "model" else ["dataset"])
        out.append(" · ".join(parts + [esc(t, 40) or "task ?"]))
    return np.array(out, dtype=object)


def colour_labels(points: pd.DataFrame, colour_by: str) -> np.ndarray:
    """Category per point: family (top families by model count, else "other"; datasets are
    "dataset"), task domain, or modality."""
    if colour_by == "task domain":
        return points["task_domain"].astype(str).to_numpy(object)
    if colour_by == "modality":
        return points["modality"].astype(str).to_numpy(object)
    is_model = (points["kind"] == "model").to_numpy()
    fam = points["family"].astype(str).where(points["family"].astype(str) != "", "unknown")
    top = fam[is_model].value_counts().head(TOP_FAMILIES).index
    out = np.where(fam.isin(top), fam, "other").astype(object)
    out[~is_model] = "dataset"
    return out


def _categories(colour_by: str) -> tuple[np.ndarray, list[str]]:
    e = _entry()
    if colour_by not in e["colours"]:
        labels = colour_labels(e["atlas"].points, colour_by)
        counts = pd.Series(labels).value_counts()
        tail = [c for c in ("other", "dataset") if c in counts.index]
        e["colours"][colour_by] = (labels, [c for c in counts.index if c not in tail] + tail)
    return e["colours"][colour_by]


# --- figures --------------------------------------------------------------------------------
def message_figure(text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=esc(text, 400), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(xaxis_visible=False, yaxis_visible=False, height=360, margin=dict(l=10, r=10, t=30, b=10))
    return fig


def map_figure(which: str, colour_by: str, star=None, star_label: str = "", hits: pd.DataFrame | None = None,
               title: str = "") -> go.Figure:
    """One map (``which`` = "learned" or "desc"): points coloured by ``colour_by``, optional query
    star (x, y) and highlighted search hits."""
    e = _entry()
    pts, hover = e["atlas"].points, e["hover"]
    labels, order = _categories(colour_by)
    x, y = pts[f"{which}_x"].to_numpy(), pts[f"{which}_y"].to_numpy()
    symbol = np.where(pts["kind"].to_numpy() == "dataset", "diamond", "circle")
    size = np.where(symbol == "diamond", 8, 4)
    fig = go.Figure()
    for i, cat in enumerate(order):
        m = labels == cat
        fig.add_trace(go.Scattergl(x=x[m], y=y[m], mode="markers", name=esc(cat, 40), hovertext=hover[m],
                                   hoverinfo="text", marker=dict(color=PALETTE[i % len(PALETTE)], size=size[m],
                                                                 symbol=symbol[m], opacity=0.75)))
    if hits is not None and len(hits):
        hx, hy = hits[f"{which}_x"].to_numpy(), hits[f"{which}_y"].to_numpy()
        text = [esc(n, 40) if i < MAX_LABELS else "" for i, n in enumerate(hits["name"])]
        fig.add_trace(go.Scatter(x=hx, y=hy, mode="markers+text", name="search", text=text, textposition="top center",
                                 hovertext=hover[hits.index.to_numpy()], hoverinfo="text",
                                 marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(color="black", width=2))))
    if star is not None:
        fig.add_trace(go.Scatter(x=[star[0]], y=[star[1]], mode="markers", name="your dataset",
                                 hovertext=[f"<b>your dataset</b><br>{esc(star_label)}"], hoverinfo="text",
                                 marker=dict(symbol="star", size=20, color="gold",
                                             line=dict(color="black", width=1.5))))
    axis = dict(showticklabels=False, zeroline=False)
    fig.update_layout(title=title, height=520, margin=dict(l=10, r=10, t=40, b=10), legend=dict(itemsizing="constant"),
                      xaxis=axis, yaxis=axis)
    return fig


def neighbourhood_figure(nodes: pd.DataFrame, edges: pd.DataFrame) -> go.Figure:
    """Force-directed picture of the query (star), its top models (dots) and nearest datasets
    (diamonds); line width grows with the edge weight."""
    fig = go.Figure()
    styles = {"query-model": ("#1f77b4", "query - model (score)"), "query-dataset": ("#2ca02c", "query - dataset "
              "(description similarity)"), "model-dataset": ("#aaaaaa", "model scored on dataset (z)")}
    xy = nodes[["x", "y"]].to_numpy()
    for kind, (colour, name) in styles.items():
        sub = edges[edges["kind"] == kind]
        for n, (s, t, w) in enumerate(zip(sub["source"], sub["target"], sub["weight"])):
            fig.add_trace(go.Scatter(x=[xy[s, 0], xy[t, 0]], y=[xy[s, 1], xy[t, 1]], mode="lines", hoverinfo="skip",
                                     line=dict(color=colour, width=0.5 + 3 * float(w)), name=name,
                                     legendgroup=kind, showlegend=n == 0))
    marks = {"query": ("star", 22, "gold"), "model": ("circle", 14, "#1f77b4"), "dataset": ("diamond", 14, "#2ca02c")}
    for kind, (symbol, size, colour) in marks.items():
        sub = nodes[nodes["kind"] == kind]
        what = "score" if kind == "model" else "similarity"
        hover = [f"<b>{esc(l)}</b><br>{kind}" + (f"<br>{what}: {v:.3f}" if kind != "query" else "")
                 for l, v in zip(sub["label"], sub["value"])]
        text = ["your dataset" if kind == "query" else esc(l.split("/")[-1], 30) for l in sub["label"]]
        fig.add_trace(go.Scatter(x=sub["x"], y=sub["y"], mode="markers+text", text=text, textposition="top center",
                                 hovertext=hover, hoverinfo="text", name=kind,
                                 marker=dict(symbol=symbol, size=size, color=colour,
                                             line=dict(color="black", width=1))))
    fig.update_layout(title="Neighbourhood of your dataset", height=520, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis=dict(visible=False), yaxis=dict(visible=False))
    return fig


# --- the endpoint ---------------------------------------------------------------------------
def atlas_view(description: str, colour_by: str = "family", search: str = ""):
    """(learned map, description map, neighbourhood, Markdown notes) for a description, a colour
    choice and a search string. Never raises for user input: problems become notes."""
    colour_by = colour_by if colour_by in COLOUR_CHOICES else "family"
    try:
        a = atlas()
    except (FileNotFoundError, ValueError):  # the server path stays in the server log, not on the page
        log.warning("atlas unavailable", exc_info=True)
        msg = ("The Atlas is not built for this deployment: run `python -m modellens_core build-atlas` "
               "(it writes assets/atlas/).")
        return message_figure(msg), message_figure(msg), message_figure(msg), f"**{md_escape(msg, 400)}**"
    notes = []
    if not _entry()["fresh"]:
        notes.append("The atlas was built from another checkpoint than the one loaded; rebuild it "
                     "(`python -m modellens_core build-atlas`) for exact query placement.")
    hits = a.search(search, limit=MAX_HITS)
    if search and str(search).strip():
        count = f"{MAX_HITS}+ matches (first {MAX_HITS} shown)" if len(hits) >= MAX_HITS else f"{len(hits)} match(es)"
        notes.append(f"Search '{md_escape(search, 80)}': {count}.")
    place, neigh = None, message_figure("Describe your dataset to see its neighbourhood.")
    try:
        rec = recommender()
        ranking = rec.recommend(RankRequest(description, top_k=K_MODELS))   # the Recommend tab's defaults
        query = ranking.query
        place = a.place_query(rec.context(query).cross[0], query.vector)
        nodes, edges = neighbourhood(ranking.table, query, K_MODELS, K_DATASETS, records=rec.corpus.records)
        neigh = neighbourhood_figure(nodes, edges)
        notes.append(f"Task {md_escape(query.task)} ({'inferred' if query.task_inferred else 'given'}); nearest "
                     f"datasets in the learned map: {', '.join(md_escape(d, 60) for d in place.learned_neighbours)}.")
    except InputError as exc:
        notes.append(str(exc))  # our own message, no user text in it
    star_label = description if place else ""
    learned = map_figure("learned", colour_by, place.learned if place else None, star_label, hits,
                         "Learned space (ranker vectors)")
    described = map_figure("desc", colour_by, place.description if place else None, star_label, hits,
                           "Description-only space (MiniLM)")
    return learned, described, neigh, "\n\n".join(notes)


def render(demo: gr.Blocks) -> None:
    gr.Markdown(EXPLAIN)
    with gr.Row():
        description = gr.Textbox(value=EXAMPLE, label="Your dataset description", lines=2, max_length=4000, scale=3)
        with gr.Column(scale=2):
            colour_by = gr.Radio(COLOUR_CHOICES, value="family", label="Colour by")
            search = gr.Textbox(label="Find a model or dataset", placeholder="e.g. llama, mmlu", max_length=200)
    show = gr.Button("Place my dataset", variant="primary")
    with gr.Row():
        learned = gr.Plot(label="Learned space")
        described = gr.Plot(label="Description-only space")
    neigh = gr.Plot(label="Neighbourhood")
    notes = gr.Markdown()
    inputs, outputs = [description, colour_by, search], [learned, described, neigh, notes]
    show.click(atlas_view, inputs, outputs, api_name="atlas")
    for event in (description.submit, search.submit, colour_by.change):
        event(atlas_view, inputs, outputs, api_visibility="private", trigger_mode="always_last")
    when_opened(demo, atlas_view, inputs, outputs)
