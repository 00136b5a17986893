"""Evaluation results self-reported in Hugging Face model cards (``model-index`` front matter).

``ingest_hub`` loads cards (from the Hub with ``huggingface_hub.ModelCard.load``, or from a
local folder), parses their ``model-index`` with :func:`model_index.parse_model_index` and
APPENDS the results to ``<out_dir>/hub_cards.jsonl`` (one JSON record per line, identical
records never written twice). ``load_hub_cards`` reads that folder back as the source
``hub_cards``. Card numbers come from each author's own evaluation, so every subset carries the
protocol tag ``hub-card`` (plus config / split / few-shot when the card states them) and never
shares a group with a leaderboard.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import yaml

# Fail fast instead of waiting the library defaults (10 s per request) when the Hub is slow;
# effective only when this module is imported before huggingface_hub reads its constants.
os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "5")

from ...common.tasks import task_domain  # noqa: E402
from .base import DropReport, SourceFileError, make_result  # noqa: E402
from .model_index import canonical_task, parse_model_index  # noqa: E402

SOURCE = "hub_cards"
FILE = "hub_cards.jsonl"
SUBSET_TAG = "hub-card"
KEY = ("model", "dataset", "subset", "task", "metric")
DEFAULT_OUT = Path("data") / "sources" / SOURCE   # relative to the working directory


class HubCardError(RuntimeError):
    """A model card could not be loaded; the one-line message names the repo."""


def _hub_reachable(timeout: float = 3.0) -> bool:
    """One TCP connect to the Hub endpoint: without it an offline machine waits through
    huggingface_hub's five retries (~25 s) per repo."""
    from huggingface_hub import constants
    url = urlparse(constants.ENDPOINT)
    try:
        with socket.create_connection((url.hostname, url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def _cached_card(repo_id: str) -> Path | None:
    """The README.md of ``repo_id`` in the local Hugging Face cache, if one was downloaded."""
    from huggingface_hub import constants, hf_hub_download
    try:
        return Path(hf_hub_download(repo_id, constants.REPOCARD_NAME, local_files_only=True))
    except Exception:  # noqa: BLE001 - not cached (or invalid id): the caller reports it
        return None


def _local_card(repo_id: str, local_dir: Path) -> Path:
    org, _, name = repo_id.partition("/")
    for path in (local_dir / f"{org}__{name}" / "README.md", local_dir / org / name / "README.md",
                 local_dir / repo_id.replace("/", "__") / "README.md"):
        if path.is_file():
            return path
    raise HubCardError(f"no local model card for {repo_id} under {local_dir} "
                       f"(expected {org}__{name}/README.md or {org}/{name}/README.md)")


def load_card_text(repo_id: str, local_dir: Path | None = None) -> str:
    """Full README.md text (front matter included) of ``repo_id``; raises HubCardError."""
    from huggingface_hub import ModelCard, constants
    if local_dir is not None:
        path = _local_card(repo_id, Path(local_dir))
    else:
        offline = constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
        why = "offline mode (HF_HUB_OFFLINE)" if offline else None
        if not offline and not _hub_reachable():
            why = f"the Hugging Face Hub ({constants.ENDPOINT}) is unreachable"
        path = _cached_card(repo_id) if why else repo_id  # offline: only the local cache can answer
        if path is None:
            raise HubCardError(f"cannot load the model card of {repo_id}: {why} and the card is not in the local cache")
    try:
        return ModelCard.load(path, ignore_metadata_errors=True).content
    except Exception as exc:  # noqa: BLE001 - hub/requests/OS errors all become one clear line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise HubCardError(f"cannot load the model card of {repo_id}: {type(exc).__name__}: {first}") from exc


def _split_card(text: str) -> tuple[dict, str]:
    """(YAML front matter between the leading ``---`` lines, body); ({}, text) when absent or
    invalid."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), None)
    if end is None:
        return {}, text
    body = "\n".join(lines[end + 1:])
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return {}, body
    return (meta if isinstance(meta, dict) else {}), body


def _summary(body: str, limit: int = 500) -> str:
    """First prose paragraph of the card body (no headings, tables, code, HTML or lists)."""
    for para in body.split("\n\n"):
        p = " ".join(para.split())
        if len(p) > 40 and not p.startswith(("#", "|", "```", "<", "!", "-", "*", ">")):
            return p[:limit]
    return ""


def _as_list(x) -> list:
    return [] if x is None else (x if isinstance(x, list) else [x])


def _first(x):
    return (_as_list(x) or [None])[0]


def card_records(repo_id: str, text: str, report: DropReport | None = None) -> list[dict]:
    """JSON-ready records of one card: the model-index results plus the card's metadata."""
    meta, body = _split_card(text)
    entries = meta.get("model-index") or []
    recs = parse_model_index(entries if isinstance(entries, list) else [entries],
                             report or DropReport(), lambda _e: repo_id, subset_tag=SUBSET_TAG)
    card = {"license": _first(meta.get("license")), "base_model": _first(meta.get("base_model")),
            "pipeline_tag": meta.get("pipeline_tag"), "library_name": meta.get("library_name"),
            "languages": ",".join(str(x) for x in _as_list(meta.get("language"))),
            "description": _summary(body), "fetched": date.today().isoformat()}
    return [{**r, **card} for r in recs]


def _line_key(rec: dict) -> tuple:
    return tuple(rec.get(k) for k in KEY) + (rec.get("score"),)


def ingest_hub(repo_ids: list[str], out_dir: Path, local_dir: Path | None = None) -> int:
    """Append the model-index results of ``repo_ids`` to ``out_dir/hub_cards.jsonl``.

    Returns the number of new lines written (a record with the same group and score already in
    the file is skipped). Cards that fail to load are reported together in one HubCardError
    after the others are written; each line of its message names a repo.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE
    seen = set()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                seen.add(_line_key(json.loads(line)))
            except (json.JSONDecodeError, AttributeError):
                continue
    new, errors = [], []
    for repo_id in repo_ids:
        try:
            recs = card_records(repo_id, load_card_text(repo_id, local_dir))
        except HubCardError as exc:
            errors.append(str(exc))
            continue
        for rec in recs:
            if _line_key(rec) not in seen:
                seen.add(_line_key(rec))
                new.append(rec)
    if new:
        with open(path, "a", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in new)
    if errors:
        raise HubCardError("\n".join(errors))
    return len(new)


def load_hub_cards(source_dir: Path):
    """Read ``source_dir/hub_cards.jsonl`` back; the last line of a group wins (a re-fetched
    card may update a number), earlier ones count as ``duplicate``."""
    source_dir = Path(source_dir)
    path = source_dir / FILE
    if not path.is_file():
        raise SourceFileError(f"missing source file {path}")
    report = DropReport()
    latest: dict[tuple, dict] = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        report.rows_read += 1
        try:
            rec = json.loads(line)
            key = tuple(rec[k] for k in KEY)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            report.drop("unparseable_file")
            report.notes.append(f"cannot read {path} line {i}: {type(exc).__name__}")
            continue
        if key in latest:
            report.drop("duplicate")
        latest[key] = rec
    records = [{k: r.get(k) for k in (*KEY, "score")} for r in latest.values()]
    models: dict[str, dict] = {}
    datasets: dict[str, dict] = {}
    for r in latest.values():
        tag = canonical_task(r["pipeline_tag"]) if r.get("pipeline_tag") else r["task"]
        models.setdefault(r["model"], {
            "model": r["model"], "params_b": None, "family": None, "base_model": r.get("base_model"),
            "modality": task_domain(tag) if task_domain(tag) != "other" else None,
            "release_date": None, "open_weights": True, "license": r.get("license"), "popularity": None,
            "description": r.get("description") or "", "organization": r["model"].split("/")[0]
            if "/" in r["model"] else None, "pipeline_tag": r.get("pipeline_tag")})
        datasets.setdefault(r["dataset"], {"dataset": r["dataset"], "family": r["dataset"], "description": "",
                                           "task": r["task"], "domain": task_domain(r["task"]),
                                           "languages": r.get("languages") or ""})
    return make_result(SOURCE, records, list(models.values()), list(datasets.values()), report)


def cli_ingest_hub(argv: list[str] | None = None) -> int:
    """``python -m modellens_core ingest-hub REPO_ID... [--local-dir D] [--out DIR]``; exit code 0
    on success, 1 when a card could not be loaded (one line per failed repo on stderr)."""
    ap = argparse.ArgumentParser(prog="python -m modellens_core ingest-hub",
                                 description="Append the model-index results of Hugging Face model cards "
                                             "to a hub_cards source folder.")
    ap.add_argument("repo_ids", nargs="+", metavar="REPO_ID", help="e.g. mistralai/Mistral-7B-v0.1")
    ap.add_argument("--local-dir", type=Path, default=None,
                    help="read cards from D/<org>__<name>/README.md or D/<org>/<name>/README.md")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"source folder (default {DEFAULT_OUT})")
    args = ap.parse_args(argv)
    try:
        n = ingest_hub(args.repo_ids, args.out, args.local_dir)
    except HubCardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"appended {n} records to {args.out / FILE}")
    return 0
