"""Priors tab: what the ranker's structural prior learned (size curve per task domain, family x
task-domain heatmap). Computed from the loaded checkpoint (:mod:`modellens_core.serving.priors`)."""
from __future__ import annotations

import html

import gradio as gr
import plotly.graph_objects as go
from plotly.colors import qualitative

from ..serving.priors import KNOWN_SIZES, family_heatmap, size_curve, trained_domains
from .atlas_tab import when_opened
from .state import recommender

DEFAULT_TOP, MAX_TOP = 30, 60
SIZE_HELP = ("**Size prior.** Each line is the score the ranker adds to a model of unknown family in one task "
             "domain, by size bucket alone, before it looks at your dataset (score units; higher = expected "
             "better; the lone marker is the 'unknown size' bucket).")
FAMILY_HELP = ("**Family effect.** Each cell is how much belonging to that family moves the prior in that task "
               "domain, compared with an unknown family of the same size (averaged over size buckets): red = the "
               "ranker favours the family there, blue = it expects less; families with most catalog models on top.")


def size_figure(curve, domains: list[str]) -> go.Figure:
    fig = go.Figure()
    for i, dom in enumerate(domains):
        sub = curve[curve["domain"] == dom].set_index("size_bucket")["prior"]
        colour = qualitative.Plotly[i % len(qualitative.Plotly)]
        fig.add_trace(go.Scatter(x=KNOWN_SIZES, y=sub.reindex(KNOWN_SIZES).to_numpy(), mode="lines+markers",
                                 name=dom, legendgroup=dom, line=dict(color=colour)))
        fig.add_trace(go.Scatter(x=["unknown"], y=[float(sub["unknown"])], mode="markers", name=f"{dom} (unknown size)",
                                 legendgroup=dom, showlegend=False, marker=dict(color=colour, symbol="x", size=10)))
    fig.update_layout(title="Learned size prior per task domain", xaxis_title="size bucket (parameters)",
                      yaxis_title="prior (score units)", height=440, margin=dict(l=10, r=10, t=40, b=10))
    fig.update_xaxes(categoryorder="array", categoryarray=[*KNOWN_SIZES, "unknown"])
    return fig


def family_figure(heat) -> go.Figure:
    if heat.empty:
        fig = go.Figure()
        fig.add_annotation(text="The checkpoint knows no model family (all map to [UNK]).", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper")
        return fig
    fams = [html.escape(str(f)[:40]) for f in heat.index]
    fig = go.Figure(go.Heatmap(z=heat.to_numpy(), x=list(heat.columns), y=fams, colorscale="RdBu_r", zmid=0,
                               colorbar=dict(title="effect"),
                               hovertemplate="family %{y}<br>domain %{x}<br>effect %{z:.3f}<extra></extra>"))
    fig.update_layout(title="Family effect on the prior", height=max(360, 22 * len(fams) + 120),
                      margin=dict(l=10, r=10, t=40, b=10), yaxis=dict(autorange="reversed"))
    return fig


def priors_view(top=DEFAULT_TOP):
    """(size-curve figure, family heatmap figure) for the loaded checkpoint; ``top`` families."""
    try:
        top = int(min(max(int(float(top)), 1), MAX_TOP))
    except (TypeError, ValueError):
        top = DEFAULT_TOP
    rec = recommender()
    domains = trained_domains(rec.vocab)
    heat = family_heatmap(rec.model, rec.vocab, rec.catalog, top)
    return size_figure(size_curve(rec.model), domains), family_figure(heat[domains])


def render(demo: gr.Blocks) -> None:
    gr.Markdown(SIZE_HELP)
    size_plot = gr.Plot(label="Size prior")
    gr.Markdown(FAMILY_HELP)
    top = gr.Slider(1, MAX_TOP, value=DEFAULT_TOP, step=1, label="Families shown")
    family_plot = gr.Plot(label="Family effect")
    top.release(priors_view, [top], [size_plot, family_plot], api_name="priors")
    when_opened(demo, priors_view, [top], [size_plot, family_plot])
