"""Priors tab: what the ranker's structural prior learned (size curve per task domain, family x
task-domain heatmap). Computed from the loaded checkpoint (:mod:`modellens_core.serving.priors`)."""
from __future__ import annotations

import html

import gradio as gr
import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from ..serving.priors import KNOWN_SIZES, MIN_SUPPORT, family_effects, size_curve, trained_domains
from .atlas_tab import when_opened
from .state import recommender

DEFAULT_TOP, MAX_TOP = 30, 60
SIZE_HELP = ("**Size prior.** Each line is the score the ranker adds to a model of unknown family in one task "
             "domain, by size bucket alone, before it looks at your dataset (score units; higher = expected "
             "better; the lone marker is the 'unknown size' bucket).")
FAMILY_HELP = ("**Family effect.** Each cell is how much belonging to that family moves the prior in that task "
               "domain, compared with an unknown family of the same size (averaged over size buckets): red = the "
               "ranker favours the family there, blue = it expects less; families with most catalog models on top. "
               f"A cell is drawn only where at least {MIN_SUPPORT} catalog models of the family are in that domain "
               "(blank = too few to trust; the count is on hover); placeholder names such as 'test' or 'my' are "
               "not families and are left out. Hover values: score units and, in brackets, standard deviations "
               "of the structural prior across all catalog models in that domain.")


def size_figure(curve, domains: list[str]) -> go.Figure:
    fig = go.Figure()
    for i, dom in enumerate(domains):
        sub = curve[curve["domain"] == dom].set_index("size_bucket")["prior"]
        colour = qualitative.Plotly[i % len(qualitative.Plotly)]
        fig.add_trace(go.Scatter(x=KNOWN_SIZES, y=sub.reindex(KNOWN_SIZES).to_numpy(), mode="lines+markers",
                                 name=dom, legendgroup=dom, line=dict(color=colour),
                                 hovertemplate=f"{dom}, %{{x}}: prior %{{y:+.2f}} score units<extra></extra>"))
        fig.add_trace(go.Scatter(x=["unknown"], y=[float(sub["unknown"])], mode="markers", name=f"{dom} (unknown size)",
                                 legendgroup=dom, showlegend=False, marker=dict(color=colour, symbol="x", size=10),
                                 hovertemplate=f"{dom}, unknown size: prior %{{y:+.2f}} score units<extra></extra>"))
    fig.update_layout(title="Learned size prior per task domain", xaxis_title="size bucket (parameters)",
                      yaxis_title="prior (score units)", height=440, margin=dict(l=10, r=10, t=40, b=10))
    fig.update_xaxes(categoryorder="array", categoryarray=[*KNOWN_SIZES, "unknown"])
    return fig


def _hover(effect: float, in_sd: float, support: int, family: str, domain: str, min_support: int) -> str:
    """One cell's hover text, in words (escaped family name)."""
    head = f"<b>{family}</b> in <b>{domain}</b>"
    if not np.isfinite(effect):
        return f"{head}<br>not shown: {support} catalog model(s) in this domain (fewer than {min_support})"
    word = "above" if effect >= 0 else "below"
    sd = f" ({in_sd:+.2f} SD of the catalog's prior here)" if np.isfinite(in_sd) else ""
    return (f"{head}<br>{effect:+.2f} score units {word} a model of unknown family{sd}"
            f"<br>support: {support:,} catalog models of this family in this domain")


def family_figure(view: dict) -> go.Figure:
    """Heatmap of ``family_effects`` output: effect (score units), blank where support is too low."""
    heat, sup, in_sd = view["effect"], view["support"], view["in_sd"]
    if heat.empty:
        fig = go.Figure()
        fig.add_annotation(text="No model family has enough catalog models in a trained domain to be shown.",
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        return fig
    fams = [html.escape(str(f)[:40]) for f in heat.index]
    doms = list(heat.columns)
    text = [[_hover(float(heat.iat[i, j]), float(in_sd.iat[i, j]), int(sup.iat[i, j]), fams[i], d,
                    view["min_support"]) for j, d in enumerate(doms)] for i in range(len(fams))]
    z = heat.to_numpy(dtype=float)
    fig = go.Figure(go.Heatmap(z=np.where(np.isfinite(z), np.round(z, 2), None), x=doms, y=fams,
                               colorscale="RdBu_r", zmid=0, hoverongaps=True, text=text,
                               colorbar=dict(title="score units"),
                               hovertemplate="%{text}<extra></extra>"))
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
    return size_figure(size_curve(rec.model), trained_domains(rec.vocab)), family_figure(family_effects(rec, top))


def render(demo: gr.Blocks) -> None:
    gr.Markdown(SIZE_HELP)
    size_plot = gr.Plot(label="Size prior")
    gr.Markdown(FAMILY_HELP)
    top = gr.Number(DEFAULT_TOP, minimum=1, maximum=MAX_TOP, step=1, precision=0, label="Families shown",
                    info=f"1-{MAX_TOP}; press Enter to redraw.", elem_id="priors-top")
    family_plot = gr.Plot(label="Family effect", elem_id="priors-family")
    gr.on([top.submit, top.blur], priors_view, [top], [size_plot, family_plot], api_name="priors")
    when_opened(demo, priors_view, [top], [size_plot, family_plot])
