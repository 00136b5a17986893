"""Serving settings for the Space: queue, concurrency, bind address, offline theme.

``launch(demo, **overrides)``; ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT`` are respected
(default 127.0.0.1:7860: nothing is exposed beyond this machine unless asked for).
"""
from __future__ import annotations

import gc
import os

import gradio as gr

from .tables import table_css

# A query is CPU-bound (~37 ms of CPU in all: text encoder ~11 ms, ranking ~8 ms, the rest Gradio's
# request handling), and most of it holds Python's GIL: only the traced text encoder (see
# encoder.py) and the larger numpy/torch kernels run beside another request. Measured with
# benchmarks/load.py on 2 cores: 2 requests at a time gave the best throughput; 4 were slower
# (more GIL hand-offs) and 1 left the encoder's parallelism unused. So: one ranking per core, one
# torch thread per request (app.py sets OMP_NUM_THREADS=1), and the rest wait in the queue.
CONCURRENCY = int(os.environ.get("MODELLENS_CONCURRENCY", str(os.cpu_count() or 2)))  # one ranking per core
# A bounded queue refuses new work with a clear "queue is full" instead of piling up minutes of
# latency; 64 holds the 50 concurrent users of the load benchmark without refusing any.
QUEUE_MAX = int(os.environ.get("MODELLENS_QUEUE_MAX", "64"))
# Queue-position updates to waiting users once a second. Gradio's default ("auto") sends every
# waiting user a message each time any job finishes: with 50 waiting and ~25 answers/s that is
# ~1,200 messages/s through the (GIL-holding) event loop, which slowed every answer down.
_rate = os.environ.get("MODELLENS_STATUS_UPDATE_S", "1")
STATUS_UPDATE_S = _rate if _rate == "auto" else float(_rate)  # "auto" = Gradio's default

# System fonts only: the default theme's LocalFont files are served by Gradio itself, but a system stack
# needs no font request at all, and nothing ever goes to Google Fonts or another CDN.
THEME = gr.themes.Default(font=("ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"),
                          font_mono=("ui-monospace", "SFMono-Regular", "Consolas", "monospace"))
CSS = "#recommend-status p { margin: 0.2em 0; }\n" + table_css()


def launch_kwargs(**overrides) -> dict:
    """The keyword arguments ``launch`` passes to ``Blocks.launch`` (overrides win)."""
    kwargs = dict(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        show_error=False,        # unexpected errors show a generic message; user-facing ones use gr.Error/status
        theme=THEME, css=CSS,
        ssr_mode=False,          # server-side rendering would need a Node process; the static build is enough
        enable_monitoring=False, mcp_server=False, pwa=False,
        max_threads=CONCURRENCY * 4,  # worker threads for sync handlers and file serving
        max_file_size="50mb",    # uploads (Transferability tab) are refused before they are stored
    )
    kwargs.update(overrides)
    return kwargs


def launch(demo: gr.Blocks, **overrides):
    """Configure the queue and serve ``demo`` (blocks unless ``prevent_thread_lock=True``)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo.analytics_enabled = False
    # The loaded catalog is millions of long-lived Python objects; a full garbage collection walks
    # them all (holding the GIL: every request waits). Freeze them: the
    # collector then only looks at objects made after start-up.
    gc.collect()
    gc.freeze()
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_MAX, api_open=False,
               status_update_rate=STATUS_UPDATE_S)
    return demo.launch(**launch_kwargs(**overrides))
