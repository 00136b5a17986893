"""The Space under load: concurrent gradio_client users calling ``/recommend`` with varied
descriptions and filters. Prints throughput, p50 / p99 latency and the errors (targets: 0
errors, p99 <= 2 s); asserts nothing.

    python benchmarks/load.py [--clients 50] [--calls 20] [--assets DIR] [--checkpoints DIR]
                              [--torch-threads N] [--max-seconds 600]

The app runs as a subprocess on 127.0.0.1 (free port, offline environment) and is stopped
whatever happens. Each client is one thread with its own ``Client`` and one request in flight
at a time; every call has a time limit (``--call-timeout``) and the whole run a deadline, so
nothing hangs. The clients run on the same machine as the app and take CPU from it: on a
small machine the numbers are pessimistic.
"""
from __future__ import annotations

import argparse
import collections
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

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
    args = ap.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = Path(tempfile.mkdtemp(prefix="modellens-load-")) / "app.log"
    env = app_env(port, args.assets, args.checkpoints)
    if args.torch_threads:
        env["OMP_NUM_THREADS"] = str(args.torch_threads)
    proc = start_app(env, log)
    latencies, errors, lock = [], collections.Counter(), threading.Lock()
    try:
        warm = wait_for_client(url, proc, 180)
        warm.submit(api_name="/recommend", description=DESCRIPTIONS[0]).result(timeout=60)
        deadline = time.monotonic() + args.max_seconds

        def user(i: int) -> None:
            try:
                from gradio_client import Client
                client = Client(url, verbose=False, download_files=False)
            except Exception as exc:
                with lock:
                    errors[f"connect: {type(exc).__name__}"] += args.calls
                return
            for j in range(args.calls):
                if time.monotonic() > deadline:
                    with lock:
                        errors["not sent: run deadline"] += args.calls - j
                    return
                t = time.perf_counter()
                try:
                    table_out, status, *_ = client.submit(api_name="/recommend", **request(i, j)).result(
                        timeout=args.call_timeout)
                    ok = "Traceback" not in status and (table_out["data"] or "No model satisfies" in status)
                    err = None if ok else "empty or unexplained answer"
                except Exception as exc:  # a timeout, a refused (queue full) or failed call
                    err = f"{type(exc).__name__}: {str(exc)[:80]}"
                with lock:
                    if err:
                        errors[err] += 1
                    else:
                        latencies.append(time.perf_counter() - t)

        threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(args.clients)]
        app_cpu0, own0 = cpu_seconds(proc.pid), resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=max(0.0, deadline - time.monotonic()) + args.call_timeout)
        wall = time.perf_counter() - t0
        hung = sum(th.is_alive() for th in threads)
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
        ["client threads still running at the end", hung, "0"],
        ["app CPU per answer, ms (all cores)", 1000 * app_cpu / max(1, len(latencies)), ""],
        ["client CPU per answer, ms (same machine)", 1000 * client_cpu / max(1, len(latencies)), ""],
        ["CPU cores on this machine", os.cpu_count(), ""]]))
    for err, n in errors.most_common(10):
        print(f"- {n} x {err}")


if __name__ == "__main__":
    main()
