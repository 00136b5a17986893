"""Model profile / compare tab: up to 4 models' predicted strength per task domain (grouped
bars), size and family, and their observed leaderboard scores. Named endpoint: ``profile``.

Selecting a row of the Recommend results table fills the picker here and switches to this tab.
The search box searches the whole catalog as you type (:func:`~modellens_core.serving.profile.search_models`,
typo-tolerant; endpoint ``search_models``); clicking a match adds it to the picker and draws the profile.
"""
from __future__ import annotations

import gradio as gr
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from ..serving.profile import MAX_MODELS, profile, search_models
from .render import (
    empty_frame,
    enclosing_tabs,
    fmt_params,
    md_escape,
    round_floats,
    user_facing,
    warn_line,
)
from .state import recommender, shared
from .tables import OBSERVED_WIDTHS, TABLE_CLASS, round2, sig3

TAB_ID = "profile_tab"
MAX_PICKER_CHOICES = 200    # the picker's own list: the most-evaluated models (the search box finds any other)
SEARCH_RESULTS = 10
FACT_HEADERS = ["model", "parameters", "family", "modality", "open weights", "records", "datasets",
                "seen in training"]
OBSERVED_HEADERS = ["model", "dataset", "subset", "task", "metric", "score", "higher is better", "z", "source"]


BASIS_WORDS = {"records": "its leaderboard records in this domain",
               "modality": "its modality (no records in this domain yet)",
               "extrapolation": "EXTRAPOLATION: no records in this domain and not its modality"}


def strength_figure(strength: pd.DataFrame) -> go.Figure:
    """Grouped bars: x = task domain, one bar per model = mean predicted z (error bar = spread).
    Bars whose ``basis`` is "extrapolation" (decided in the core) are faded and hatched."""
    fig = go.Figure()
    palette = qualitative.Plotly
    for k, (model, g) in enumerate(strength.groupby("model", sort=False)):
        extra = (g["basis"] == "extrapolation").to_numpy()
        why = [BASIS_WORDS.get(b, b) for b in g["basis"]]
        fig.add_trace(go.Bar(name=model, x=g["domain"], y=g["strength"],
                             marker=dict(color=palette[k % len(palette)], opacity=[0.35 if e else 1.0 for e in extra],
                                         pattern=dict(shape=["/" if e else "" for e in extra])),
                             error_y=dict(type="data", array=g["spread"], visible=True),
                             customdata=list(zip(g["n_datasets"], g["prior"].round(2), g["n_records"], why)),
                             hovertemplate="%{x}: mean predicted z %{y:.2f}<br>over %{customdata[0]} known "
                                           "datasets<br>structural prior %{customdata[1]:.2f} score units<br>"
                                           "basis: %{customdata[3]} (%{customdata[2]} records)"
                                           "<extra>%{fullData.name}</extra>"))
    fig.update_layout(barmode="group", height=380, margin=dict(l=40, r=10, t=40, b=40),
                      title="Predicted strength per task domain (mean predicted z over its known datasets)",
                      yaxis_title="predicted z (higher is better)", legend=dict(orientation="h", y=-0.2))
    return fig


def profile_view(names):
    """(figure, facts table, observed table, Markdown status); raises InputError."""
    names = [names] if isinstance(names, str) else list(names or [])
    p = profile(recommender(), names)
    facts = p["facts"].copy()
    facts["params_b"] = facts["params_b"].map(fmt_params)
    facts["open_weights"] = facts["open_weights"].map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
    facts.columns = FACT_HEADERS
    observed = p["observed"].copy()
    if len(observed):   # raw metric values to 3 significant digits, z to 2 decimals
        observed["score"] = observed["score"].map(sig3)
        observed["z"] = round2(observed["z"])
    observed = round_floats(observed, 2)
    observed.columns = OBSERVED_HEADERS
    lines = [f"Profiles of {', '.join(f'**{md_escape(m)}**' for m in p['models'])}. Strength = the ranker's mean "
             "predicted z over every known dataset of a domain (0 = an average model there); observed scores "
             "are the leaderboard records."]
    extra = p["strength"][p["strength"]["basis"] == "extrapolation"]
    if len(extra):
        per = extra.groupby("model", sort=False)["domain"].apply(lambda d: ", ".join(d))
        lines.append("Faded, hatched bars are **extrapolation** (no records in that domain and not the model's "
                     "modality): " + "; ".join(f"{md_escape(m)}: {d}" for m, d in per.items()) + ".")
    lines += [warn_line(n) for n in p["notices"]]
    if p["observed"].empty:
        lines.append("No leaderboard records for these models: the strengths are predictions from their name, "
                     "size and family only.")
    return strength_figure(p["strength"]), facts, observed, "\n\n".join(lines)


def _empty(message: str):
    return None, empty_frame(FACT_HEADERS), empty_frame(OBSERVED_HEADERS), warn_line(message)


def render(demo: gr.Blocks) -> None:
    cat = recommender().catalog
    ranked = cat.sort_values(["n_records", "model"], ascending=[False, True])["model"]
    base = ranked.head(MAX_PICKER_CHOICES).tolist()
    with gr.Row():
        search = gr.Textbox(label="Search the whole catalog", scale=2, elem_id="profile-search",
                            placeholder="e.g. vit base patch16 or google/vit-bas (typos are tolerated)",
                            info="Results update as you type; click one to add it, or press Enter for the first.")
        picker = gr.Dropdown(base, multiselect=True, max_choices=MAX_MODELS, scale=3,
                             allow_custom_value=True, label=f"Models to profile or compare (up to {MAX_MODELS})",
                             info="The most-evaluated models are listed; any catalog name or alias can be typed.",
                             elem_id="profile-picker")
    matches = gr.Radio([], label="Matches (click to add)", elem_id="profile-matches")
    show = gr.Button("Show profile", variant="primary")
    status = gr.Markdown(elem_id="profile-status")
    plot = gr.Plot(label="Predicted strength per task domain", elem_id="profile-plot")
    facts = gr.Dataframe(headers=FACT_HEADERS, interactive=False, label="Size and family", wrap=True,
                         elem_id="profile-facts", elem_classes=[TABLE_CLASS])
    observed = gr.Dataframe(headers=OBSERVED_HEADERS, interactive=False, label="Observed scores (leaderboards)",
                            max_height=400, wrap=True, column_widths=OBSERVED_WIDTHS, elem_id="profile-observed",
                            elem_classes=[TABLE_CLASS])
    outputs = [plot, facts, observed, status]

    @user_facing(_empty)
    def profile_fn(models):
        """Predicted strength per task domain, facts and observed scores for up to 4 models."""
        models = [models] if isinstance(models, str) else list(models or [])
        if len(models) > MAX_MODELS:
            fig, f, o, md = profile_fn(models[:MAX_MODELS])
            return fig, f, o, warn_line(f"{len(models)} models given; only the first {MAX_MODELS} are compared.") \
                + "\n\n" + md
        return profile_view(models)

    def search_fn(text):
        """Up to 10 catalog names for typed text (whole catalog, typo-tolerant)."""
        found = search_models(recommender(), text, SEARCH_RESULTS)
        return gr.Radio(choices=found, value=None, label=f"Matches (click to add): {len(found)}" if text else
                        "Matches (click to add)")

    def add(name, chosen):
        """The picker with ``name`` added (at most MAX_MODELS, the oldest dropped) and the matches cleared."""
        chosen = [chosen] if isinstance(chosen, str) else list(chosen or [])
        if name and name not in chosen:
            chosen = (chosen + [name])[-MAX_MODELS:]
        return gr.Dropdown(choices=list(dict.fromkeys([*chosen, *base])), value=chosen), gr.Radio(value=None)

    def add_first(text, chosen):
        found = search_models(recommender(), text, 1)
        return add(found[0] if found else None, chosen)

    search.input(search_fn, search, matches, api_name="search_models", trigger_mode="always_last",
                 show_progress="hidden")
    matches.input(add, [matches, picker], [picker, matches], api_visibility="private", queue=False) \
        .then(profile_fn, picker, outputs, api_visibility="private", concurrency_id="ranker")
    search.submit(add_first, [search, picker], [picker, matches], api_visibility="private") \
        .then(profile_fn, picker, outputs, api_visibility="private", concurrency_id="ranker")
    show.click(profile_fn, picker, outputs, api_name="profile", concurrency_id="ranker")
    _link_from_results(demo, picker, profile_fn, outputs)


def _link_from_results(demo, picker, profile_fn, outputs) -> None:
    """A click on a model name in the Recommend table: that model into the picker, switch here, show
    it. A click on any other cell (evidence, scores) does nothing."""
    table = shared(demo).get("recommend_table")
    tabs = enclosing_tabs()
    if table is None:
        return

    picked = gr.State(False)            # whether the last click was on a model name
    targets = [picker, tabs, picked] if tabs is not None else [picker, picked]
    nothing = (*(gr.skip() for _ in targets[:-1]), False)

    def pick(df: pd.DataFrame, evt: gr.SelectData):
        index = evt.index if isinstance(evt.index, (list, tuple)) else (evt.index, None)
        try:
            row, col = int(index[0]), int(index[1])
            if str(df.columns[col]) != "model":
                return nothing
            # the clicked cell's own text (the rows may have been re-sorted in the browser)
            model = str(evt.value) if evt.value not in (None, "") else str(df.iloc[row]["model"])
        except (IndexError, KeyError, TypeError, ValueError):
            return nothing
        return ([model], gr.Tabs(selected=TAB_ID), True) if tabs is not None else ([model], True)

    def then_profile(was_picked, models):   # after a click on another cell the profile stays as it was
        return profile_fn(models) if was_picked else tuple(gr.skip() for _ in outputs)

    table.select(pick, table, targets, api_visibility="private", queue=False).then(
        then_profile, [picked, picker], outputs, api_visibility="private", concurrency_id="ranker")
