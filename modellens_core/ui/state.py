"""What every tab shares: the loaded Recommender (one per process, loaded once).

``MODELLENS_ASSETS`` / ``MODELLENS_CHECKPOINTS`` point the app at other built folders (tests
use a small synthetic corpus); by default the shipped ``assets/`` and ``checkpoints/``.
"""
from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path

from ..common.paths import ASSETS, CHECKPOINTS

_lock = threading.Lock()
_recommender = None


def assets_dir() -> Path:
    return Path(os.environ.get("MODELLENS_ASSETS", ASSETS))


def checkpoints_dir() -> Path:
    return Path(os.environ.get("MODELLENS_CHECKPOINTS", CHECKPOINTS))


def recommender():
    """The process-wide Recommender (verifies the manifest on first load)."""
    global _recommender
    with _lock:
        if _recommender is None:
            from ..serving.recommender import Recommender
            _recommender = Recommender.load(assets_dir(), checkpoints_dir())
            # a server encodes many single descriptions concurrently: build the encoder's traced
            # one-text path (it runs without holding the GIL) beside the start-up
            _recommender.encoder.prepare_query_path(background=True)
        return _recommender


def reset_recommender() -> None:
    """Forget the loaded Recommender (tests point the app at other folders between builds)."""
    global _recommender
    with _lock:
        _recommender = None


# Components one tab publishes for another within one app, e.g. the Recommend results table the
# Model profile tab links from. Keyed by the Blocks object (weakly: a closed app is forgotten).
_shared: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def shared(demo) -> dict:
    """The registry of components shared between the tabs of ``demo`` (a plain dict)."""
    with _lock:
        return _shared.setdefault(demo, {})
