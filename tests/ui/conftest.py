"""The app, launched on 127.0.0.1 (a free port) against the synthetic corpus and tiny checkpoint
with its Atlas built (PCA, seconds), shared by every UI test: ``app_url`` yields its base URL
(trailing slash). Everything the app shows is built here, so no test depends on another's order."""
from __future__ import annotations

import os
import shutil
import socket

import pytest

OFFLINE = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_folders(synthetic_assets, tiny_checkpoints, tmp_path_factory):
    """A private copy of the synthetic assets and app checkpoint, with the Atlas built."""
    from modellens_core.serving.atlas import build_atlas, pca_project
    root = tmp_path_factory.mktemp("app")
    shutil.copytree(synthetic_assets, root / "assets")
    shutil.copytree(tiny_checkpoints, root / "checkpoints", ignore=shutil.ignore_patterns("eval"))
    build_atlas(root / "assets", root / "checkpoints", project=pca_project, log=lambda *_: None)
    return root / "assets", root / "checkpoints"


@pytest.fixture(scope="session")
def app_url(app_folders):
    from modellens_core.ui import build_app, state
    from modellens_core.ui.launch import launch

    assets, checkpoints = app_folders
    env = {**OFFLINE, "MODELLENS_ASSETS": str(assets), "MODELLENS_CHECKPOINTS": str(checkpoints)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    state.reset_recommender()          # another test may have loaded other folders in this process
    demo = build_app()
    port = free_port()
    launch(demo, server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
        state.reset_recommender()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
