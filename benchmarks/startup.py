"""Cold start of the Space: seconds from ``python app.py`` until the first ``/recommend`` answer
(target 20 s). Prints a table, asserts nothing.

    python benchmarks/startup.py [--assets DIR] [--checkpoints DIR] [--timeout 180]

The app runs as a subprocess with the offline environment on 127.0.0.1 and a free port
(``GRADIO_SERVER_PORT``); it is stopped whatever happens (its whole process group).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import app_env, free_port, start_app, stop_app, table, tail, wait_for_client

QUERY = "English movie reviews labelled positive or negative (binary sentiment classification)."


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assets", default=None, help="assets folder (MODELLENS_ASSETS; default: the shipped one)")
    ap.add_argument("--checkpoints", default=None, help="checkpoint folder (MODELLENS_CHECKPOINTS)")
    ap.add_argument("--timeout", type=float, default=180, help="give up after this many seconds")
    args = ap.parse_args()

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="modellens-startup-")) / "app.log"
    t0 = time.perf_counter()
    proc = start_app(app_env(port, args.assets, args.checkpoints), log)
    try:
        client = wait_for_client(f"http://127.0.0.1:{port}/", proc, args.timeout)
        t_up = time.perf_counter() - t0
        t1 = time.perf_counter()
        out = client.submit(api_name="/recommend", description=QUERY).result(timeout=args.timeout)
        t_first = time.perf_counter() - t0
        t_query = time.perf_counter() - t1
        t2 = time.perf_counter()
        client.submit(api_name="/recommend", description=QUERY + " Second query.").result(timeout=args.timeout)
        t_second = time.perf_counter() - t2
    except Exception as exc:
        print(f"startup failed: {exc}\n--- app log (last lines) ---\n{tail(log)}")
        raise SystemExit(1) from None
    finally:
        stop_app(proc)
    rows = len(out[0]["data"])
    print(f"\n## Cold start of `python app.py` (port {port}; first answer had {rows} rows)\n")
    print(table(["what", "seconds", "target"], [
        ["process start -> app answering (config served, client connected)", t_up, ""],
        ["process start -> first /recommend answer", t_first, "<= 20 s"],
        ["  of which the first /recommend call", t_query, ""],
        ["a second /recommend call (warm)", t_second, ""]]))


if __name__ == "__main__":
    main()
