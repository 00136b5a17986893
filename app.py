"""ModelLens Space: ``python app.py`` serves the app on the shipped assets and checkpoint."""
import os

# one intra-op thread per request: requests run in parallel instead (see ui/launch.py)
for key, value in {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                   "OMP_NUM_THREADS": "1",
                   # Gradio's queue rebuilds a pandas summary of its last N events after every K events
                   # (defaults 10,000 and 1: a growing cost on every request) for a monitoring page this
                   # app does not serve: recompute rarely, over few events.
                   "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000", "GRADIO_ANALYTICS_MAX_EVENTS": "1000"}.items():
    os.environ.setdefault(key, value)

from modellens_core.ui import build_app  # noqa: E402
from modellens_core.ui.launch import launch  # noqa: E402

if __name__ == "__main__":
    launch(build_app())
