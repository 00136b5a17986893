"""The Space under load: concurrent users calling ``/recommend`` with varied descriptions and
filters. Prints throughput, p50 / p99 latency and the errors (targets: 0 errors, p99 <= 2 s);
asserts nothing.

    python benchmarks/load.py [--clients 50] [--calls 20] [--assets DIR] [--checkpoints DIR]
                              [--torch-threads N] [--max-seconds 600]

The app runs as a subprocess on 127.0.0.1 (free port, offline environment) and is stopped
whatever happens. The clients speak Gradio's HTTP API directly (``POST /gradio_api/call/recommend``
then the event stream of its result: the route the documented curl snippet uses, through the
same queue as the browser and ``gradio_client``), all from one asyncio loop with one request in
flight per client: the load generator shares this machine's cores with the app and should take
as little of them as it can (50 ``gradio_client`` threads cost about as much CPU as the app).
Every call has a time limit (``--call-timeout``) and the whole run a deadline, so nothing hangs.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import resource
import tempfile
import time
from pathlib import Path

import httpx

from common import app_env, free_port, start_app, stop_app, summary, table, tail, wait_for_client

DESCRIPTIONS = (
    "English movie reviews labelled positive or negative.",
    "Speech recognition of read English audiobooks, scored by word error rate.",
    "Python code generation from docstrings, scored by unit tests (pass@1).",
    "Fine-grained image classification of 200 bird species.",
    "Japanese reading comprehension over Wikipedia paragraphs.",
    "Multilingual passage retrieval in 18 languages.",
    "Named entity recognition in German news articles.",
    "Summarise long scientific papers into abstracts.",
    "Detect toxic comments in online forums (multi-label).",
    "Object detection in street scenes from a car camera.",
    "Answer grade-school math word problems step by step.",
    "Classify customer support tickets into 30 intents.",
)
SIZES = ("any", "edge", "gpu8", "35b", "80b")


def request(i: int, j: int) -> dict:
    """The j-th call of client i: a description (made unique, so the encoder cache rarely answers)
    and a rotating set of filters."""
    kw = {"description": f"{DESCRIPTIONS[(i + j) % len(DESCRIPTIONS)]} (client {i}, call {j})",
          "size": SIZES[(i * 7 + j) % len(SIZES)], "top_k": 10 + (i + j) % 40}
    kind = (i + 3 * j) % 5
    if kind == 1:
        kw.update(include_unknown_size=False, open_weights_only=True)
    elif kind == 2:
        kw.update(fit_modality=False, modalities=["text"])
    elif kind == 3:
        kw.update(task="text-classification", metric="accuracy")
    elif kind == 4:
        kw.update(candidates="meta-llama/Llama-3.1-8B-Instruct\nbert-base-uncased\nopenai/whisper-large-v3\n"
                             f"newlab/unknown-model-{i}-{j}b")
    return kw


API_ORDER = ("description", "task", "metric", "size", "include_unknown_size", "families", "modalities",
             "open_weights_only", "candidates", "top_k", "fit_modality", "subset")
API_DEFAULTS = {"task": "infer from description", "metric": "infer from description", "size": "any",
                "include_unknown_size": True, "families": [], "modalities": [], "open_weights_only": False,
                "candidates": "", "top_k": 20, "fit_modality": True, "subset": ""}


def payload(kw: dict, session: str) -> dict:
    """The body of a /recommend call: the positional ``data`` list for keyword inputs, and the
    caller's session (one per simulated user, as a browser tab or a ``gradio_client.Client`` has)."""
    return {"data": [kw.get(k, API_DEFAULTS.get(k)) for k in API_ORDER], "session_hash": session}


async def call_recommend(http: httpx.AsyncClient, kw: dict, session: str) -> list:
    """One /recommend call: POST the inputs, read the result's event stream; the outputs list.
    Raises on an HTTP error, an ``error`` event or a stream that ends without a result."""
    r = await http.post("gradio_api/call/recommend", json=payload(kw, session))
    r.raise_for_status()
    event_id = r.json()["event_id"]
    event = None
    async with http.stream("GET", f"gradio_api/call/recommend/{event_id}") as stream:
        stream.raise_for_status()
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = json.loads(line[5:].strip() or "null")
                if event == "error":
                    raise RuntimeError(f"error event: {str(data)[:80]}")
                return data
    raise RuntimeError("the event stream ended without a result")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat``; nan without /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--calls", type=int, default=20, help="calls per client")
    ap.add_argument("--assets", default=None)
    ap.add_argument("--checkpoints", default=None)
    ap.add_argument("--torch-threads", type=int, default=0,
                    help="OMP_NUM_THREADS for the app (torch intra-op threads); 0 = the app's default")
    ap.add_argument("--call-timeout", type=float, default=60, help="seconds before a call counts as an error")
    ap.add_argument("--max-seconds", type=float, default=600, help="deadline of the whole run")
    ap.add_argument("--warm-up", type=float, default=5, help="seconds of single calls before the measured run")
    args = ap.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = Path(tempfile.mkdtemp(prefix="modellens-load-")) / "app.log"
    env = app_env(port, args.assets, args.checkpoints)
    if args.torch_threads:
        env["OMP_NUM_THREADS"] = str(args.torch_threads)
    proc = start_app(env, log)
    latencies, errors = [], collections.Counter()
    try:
        wait_for_client(url, proc, 180)  # the app answers gradio_client: it is up
        limits = httpx.Limits(max_connections=2 * args.clients, max_keepalive_connections=2 * args.clients)

        async def run_all():
            async with httpx.AsyncClient(base_url=url, timeout=args.call_timeout, limits=limits) as http:
                # warm-up, not counted: a few calls, and time for the app's start-up work in the background
                # (the encoder's fast path is built beside the start: ~2 s)
                t_warm = time.monotonic()
                while time.monotonic() - t_warm < args.warm_up:
                    await call_recommend(http, {"description": DESCRIPTIONS[0]}, "load-warm-up")
                    await asyncio.sleep(0.2)
                deadline = time.monotonic() + args.max_seconds

                async def user(i: int) -> None:
                    for j in range(args.calls):
                        if time.monotonic() > deadline:
                            errors["not sent: run deadline"] += args.calls - j
                            return
                        t = time.perf_counter()
                        try:
                            out = await asyncio.wait_for(call_recommend(http, request(i, j), f"load-user-{i}"), args.call_timeout)
                            table_out, status = out[0], out[1]
                            ok = "Traceback" not in status and (table_out["data"] or "No model satisfies" in status)
                            err = None if ok else "empty or unexplained answer"
                        except Exception as exc:  # a timeout, a refused (queue full) or failed call
                            err = f"{type(exc).__name__}: {str(exc)[:80]}"
                        if err:
                            errors[err] += 1
                        else:
                            latencies.append(time.perf_counter() - t)

                t0 = time.perf_counter()
                await asyncio.gather(*(user(i) for i in range(args.clients)))
                return time.perf_counter() - t0

        app_cpu0, own0 = cpu_seconds(proc.pid), resource.getrusage(resource.RUSAGE_SELF)
        wall = asyncio.run(run_all())
        app_cpu = cpu_seconds(proc.pid) - app_cpu0
        own1 = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime
    except Exception as exc:
        print(f"load run failed: {exc}\n--- app log (last lines) ---\n{tail(log)}")
        raise SystemExit(1) from None
    finally:
        stop_app(proc)

    s = summary(latencies)
    total = args.clients * args.calls
    print(f"\n## {args.clients} concurrent clients x {args.calls} /recommend calls "
          f"(app torch threads: {args.torch_threads or 'default'})\n")
    print(table(["what", "value", "target"], [
        ["calls answered", f"{len(latencies):,} of {total:,}", ""],
        ["errors", sum(errors.values()), "0"],
        ["wall time, s", wall, ""],
        ["throughput, answers/s", len(latencies) / wall if wall else 0.0, ""],
        ["latency p50, ms", s["p50"], ""],
        ["latency p99, ms", s["p99"], "<= 2000"],
        ["latency max, ms", s["max"], ""],
        ["app CPU per answer, ms (all cores)", 1000 * app_cpu / max(1, len(latencies)), ""],
        ["client CPU per answer, ms (same machine)", 1000 * client_cpu / max(1, len(latencies)), ""],
        ["CPU cores on this machine", os.cpu_count(), ""]]))
    for err, n in errors.most_common(10):
        print(f"- {n} x {err}")


if __name__ == "__main__":
    main()
