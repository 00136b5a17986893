"""Shared helpers of the speed, startup and load benchmarks: repeated timings and their
percentiles (milliseconds), resident memory (MB), Markdown tables, and the app as a subprocess.

Benchmarks print tables; they never assert timings (the numbers depend on the machine).
"""
from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(ROOT))

OFFLINE = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
           "TRANSFORMERS_OFFLINE": "1"}


def timings(fn, runs: int, warmup: int = 1) -> np.ndarray:
    """Seconds of ``runs`` calls of ``fn(i)`` (i = run number) after ``warmup`` untimed calls."""
    for i in range(warmup):
        fn(-1 - i)
    out = np.empty(runs)
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        out[i] = time.perf_counter() - t
    return out


def summary(seconds) -> dict:
    """median / p50 / p99 / max in milliseconds and the number of runs (p99 interpolated)."""
    ms = np.asarray(seconds, dtype=np.float64) * 1000
    if len(ms) == 0:
        return {"runs": 0, "median": float("nan"), "p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    return {"runs": len(ms), "median": float(np.median(ms)), "p50": float(np.percentile(ms, 50)),
            "p99": float(np.percentile(ms, 99)), "max": float(ms.max())}


def rss_mb() -> float:
    """Resident memory of this process now, MB (``/proc/self/status``; peak RSS where /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kB


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table; floats with 1 decimal."""
    def cell(v):
        return f"{v:,.1f}" if isinstance(v, float) else str(v)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(port: int, assets: str | None = None, checkpoints: str | None = None) -> dict:
    """Environment of an offline app subprocess on 127.0.0.1:``port`` (optionally other folders)."""
    env = {**os.environ, **OFFLINE, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "PYTHONUNBUFFERED": "1"}
    if assets:
        env["MODELLENS_ASSETS"] = str(Path(assets).resolve())
    if checkpoints:
        env["MODELLENS_CHECKPOINTS"] = str(Path(checkpoints).resolve())
    return env


def start_app(env: dict, log_path: Path) -> subprocess.Popen:
    """``python app.py`` in its own process group, output to ``log_path``."""
    log = open(log_path, "wb")
    return subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop_app(proc: subprocess.Popen) -> None:
    """Terminate the app (its process group), kill it after 10 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def wait_for_client(url: str, proc: subprocess.Popen, timeout: float):
    """A connected ``gradio_client.Client`` once the app answers, or RuntimeError when the app
    exits or ``timeout`` seconds pass."""
    from gradio_client import Client
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode} before answering")
        try:
            return Client(url, verbose=False, download_files=False)
        except Exception:  # not listening yet
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not answer within {timeout:.0f} s") from None
            time.sleep(0.1)


def tail(path: Path, n: int = 20) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""
