"""The Gradio Space: one module per tab, each with a ``render(demo)`` that builds its tab's
components and wires its named endpoint. No scoring logic lives here: the tabs call
:mod:`modellens_core.serving.recommender`, :mod:`modellens_core.serving.atlas` and :mod:`modellens_core.serving.priors`."""
from __future__ import annotations

import importlib

import gradio as gr

from .state import recommender

# (tab title, module under modellens_core.ui); a module that is missing is skipped
TABS = (("Recommend", "recommend_tab"), ("Atlas", "atlas_tab"), ("Priors", "priors_tab"),
        ("Model profile", "profile_tab"), ("Transferability", "transfer_tab"))

TITLE = "ModelLens: which pretrained model for my dataset?"


def build_app() -> gr.Blocks:
    recommender()  # load (and verify) before the first request, not during it
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}\nDescribe your dataset; get pretrained models ranked by a model trained on "
                    "public leaderboard records. No candidate is run on your data.")
        with gr.Tabs():
            for title, module in TABS:
                try:
                    mod = importlib.import_module(f"{__name__}.{module}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{__name__}.{module}":
                        raise
                    continue
                with gr.Tab(title, id=module):
                    mod.render(demo)
    return demo
