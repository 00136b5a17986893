"""Shared fixtures: a synthetic corpus built through the real pipeline, and a tiny ranker
trained on it (session scoped: built once per test run, in a temporary folder)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

TESTS = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    """Collect tests/build/ (it mirrors modellens_core/build/): pytest skips folders named
    "build" by default (``norecursedirs``). Anything else: pytest's own rules (None)."""
    if collection_path.name == "build" and collection_path.parent == TESTS:
        return False
    return None


TINY = dict(epochs=4, steps_per_epoch=15, groups_per_batch=16, items_per_group=16, name_buckets=512,
            id_dim=8, name_dim=8, desc_dim=16, meta_dim=8, hidden=(32, 16), prior_hidden=8, patience=10)


@pytest.fixture(scope="session")
def synthetic_assets(tmp_path_factory):
    from tests.synthetic import build_synthetic
    root = tmp_path_factory.mktemp("synthetic")
    build_synthetic(root / "assets")
    return root / "assets"


@pytest.fixture(scope="session")
def tiny_checkpoints(synthetic_assets):
    """checkpoints/ (production) and checkpoints/eval/<setting>/ for the synthetic corpus."""
    from modellens_core.ranker.config import RankerConfig
    from modellens_core.build.corpus import Corpus
    from modellens_core.build.manifest import write_manifest
    from modellens_core.ranker.train import train
    corpus = Corpus(synthetic_assets)
    ck = synthetic_assets.parent / "checkpoints"
    for setting in ("production", "completion", "new_datasets", "new_models", "heldout_families"):
        out = ck if setting == "production" else ck / "eval" / setting
        train(corpus, RankerConfig(setting=setting, **TINY), out=out, progress=False)
    write_manifest(synthetic_assets)
    return ck
