"""Atlas and Priors tabs: the tab functions return plotly figures, untrusted text is escaped in
hovers, a missing atlas gives a message, and /atlas and /priors answer a gradio_client call
against the app launched on 127.0.0.1 with the synthetic fixture."""
from __future__ import annotations

import os
import re
import shutil
import socket

import pandas as pd
import plotly.graph_objects as go
import pytest

from modellens_core.serving.atlas import build_atlas, pca_project
from modellens_core.ui import atlas_tab, priors_tab, state

XSS = "<script>alert(1)</script>"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_env(synthetic_assets, tiny_checkpoints, tmp_path_factory):
    """Point the app at a private copy of the fixture with an atlas (PCA) built; restore after."""
    root = tmp_path_factory.mktemp("atlas_app")
    shutil.copytree(synthetic_assets, root / "assets")
    shutil.copytree(tiny_checkpoints, root / "checkpoints", ignore=shutil.ignore_patterns("eval"))
    build_atlas(root / "assets", root / "checkpoints", project=pca_project, log=lambda *_: None)
    old = {k: os.environ.get(k) for k in ("MODELLENS_ASSETS", "MODELLENS_CHECKPOINTS")}
    os.environ.update(MODELLENS_ASSETS=str(root / "assets"), MODELLENS_CHECKPOINTS=str(root / "checkpoints"),
                      GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1")
    state._recommender = None  # the process-wide recommender must load this copy
    yield root
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    state._recommender = None


def test_atlas_view_returns_figures_with_query_and_search(app_env):
    learned, described, neigh, notes = atlas_tab.atlas_view("Photographs of birds to classify.", "family", "ALPHA")
    assert all(isinstance(f, go.Figure) for f in (learned, described, neigh))
    for fig in (learned, described):
        names = [t.name for t in fig.data]
        assert "your dataset" in names and "search" in names and "dataset" in names
        star = next(t for t in fig.data if t.name == "your dataset")
        assert all(v == v for v in (star.x[0], star.y[0]))  # finite, not NaN
        assert sum(len(t.x) for t in fig.data if t.name not in ("search", "your dataset")) == \
            len(atlas_tab.atlas().points)
    assert {t.name for t in neigh.data} >= {"query", "model", "dataset"}
    assert "match(es)" in notes and "imageset" in notes


def test_untrusted_text_is_escaped_in_hovers(app_env):
    learned, _, neigh, _ = atlas_tab.atlas_view(f"Bird photos {XSS}", "task domain", "")
    for fig in (learned, neigh):
        js = fig.to_json()
        assert "<script>" not in js and "&lt;script&gt;" in js
    pts = pd.DataFrame({"name": [f"evil{XSS}"], "kind": ["model"], "family": ["<b>x</b>"], "params_b": [7.0],
                        "size_bucket": ["3-8B"], "task": ["<img src=x onerror=alert(1)>"]})
    hover = atlas_tab.hover_texts(pts)[0]
    assert "<script>" not in hover and "<img" not in hover and "&lt;b&gt;x&lt;/b&gt;" in hover


def test_colour_labels_and_empty_description(app_env):
    pts = atlas_tab.atlas().points
    fam = atlas_tab.colour_labels(pts, "family")
    assert set(fam[(pts["kind"] == "dataset").to_numpy()]) == {"dataset"}
    assert len(set(fam)) <= atlas_tab.TOP_FAMILIES + 2
    assert set(atlas_tab.colour_labels(pts, "modality")) == set(pts["modality"])
    learned, _, _, notes = atlas_tab.atlas_view("   ", "modality", "")
    assert "your dataset" not in [t.name for t in learned.data] and "describe your dataset" in notes.lower()


def test_missing_atlas_gives_a_message(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLENS_ASSETS", str(tmp_path))
    learned, described, neigh, notes = atlas_tab.atlas_view("text", "family", "")
    assert "build-atlas" in notes and isinstance(learned, go.Figure) and not learned.data
    assert "build-atlas" in learned.layout.annotations[0].text


def test_priors_view_figures(app_env):
    size_fig, heat_fig = priors_tab.priors_view(30)
    rec = state.recommender()
    assert {t.name for t in size_fig.data if t.showlegend is not False} == {"text", "vision", "speech"}
    heat = heat_fig.data[0]
    assert isinstance(heat, go.Heatmap)
    assert sorted(heat.y) == sorted(f for f in rec.vocab.families if f != "[UNK]")
    assert list(heat.x) == ["text", "vision", "speech"]
    texts = [t for row in heat.text for t in row]                  # hovers in words, rounded, with support
    assert any("score units above" in t or "score units below" in t for t in texts)
    assert all("support:" in t or "not shown" in t for t in texts)
    assert not any(re.search(r"\d\.\d{3}", t) for t in texts)      # rounded to 2 decimals
    assert any(z is None for row in heat.z for z in row)            # low-support cells left blank
    assert len(priors_tab.priors_view("2")[1].data[0].y) == 2


def test_endpoints_through_gradio_client(app_env):
    from gradio_client import Client

    from modellens_core.ui import build_app
    demo = build_app()
    port = _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        out = client.predict(f"Bird photos {XSS}", "modality", "speechset", api_name="/atlas")
        assert len(out) == 4
        plots = [o["plot"] if isinstance(o, dict) else o for o in out[:3]]
        assert all(isinstance(p, str) and '"data"' in p for p in plots)
        assert "your dataset" in plots[0] and "<script>" not in plots[0]
        assert "speechset" in out[3]
        size_plot, heat_plot = client.predict(12, api_name="/priors")
        heat = heat_plot["plot"] if isinstance(heat_plot, dict) else heat_plot
        assert "heatmap" in heat and "alpha" in heat
    finally:
        demo.close()
