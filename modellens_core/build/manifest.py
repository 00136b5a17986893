"""``assets/manifest.json``: corpus counts and the sha256 of every file in assets/ and
checkpoints/, each marked with the part it belongs to:

* ``runtime``    what ``python app.py`` opens (:data:`RUNTIME_PATTERNS`): the corpus tables and
  description embeddings, the Atlas maps, the Transferability tab's selector and the app
  checkpoint. ``Recommender.load()`` verifies this part; ``deploy-space`` uploads exactly it.
* ``evaluation`` everything else: the split labels, the per-setting evaluation checkpoints
  (``checkpoints/eval/``), the build report and the model card. ``evaluate`` verifies this part.

:func:`verify_manifest` refuses a missing, truncated or tampered file of the part it is asked for.
"""
from __future__ import annotations

import hashlib
import json
from fnmatch import fnmatchcase
from pathlib import Path

MANIFEST = "manifest.json"
_IGNORED = {MANIFEST, ".gitkeep"}
_IGNORED_DIRS = {"screenshots"}  # made by the browser test, not read at load

RUNTIME, EVALUATION, ALL = "runtime", "evaluation", "all"
PARTS = (RUNTIME, EVALUATION)
# The files the app reads, relative to the folder holding assets/ and checkpoints/ (fnmatch: "*"
# also crosses "/"). Keep in step with the loaders: build.corpus.Corpus (tables, embeddings; the
# split labels only when the checkpoint has no evidence index), ranker.checkpoint.Checkpoint,
# serving.atlas (ATLAS_DIR) and transfer.metarank (ASSET). tests/test_deploy.py starts the app
# from these files alone, and checks the names against those modules.
RUNTIME_PATTERNS = (
    "assets/corpus/records.parquet", "assets/corpus/models.parquet", "assets/corpus/datasets.parquet",
    "assets/corpus/model_emb_codes.npy", "assets/corpus/model_emb_scale.npy",
    "assets/corpus/dataset_emb_codes.npy", "assets/corpus/dataset_emb_scale.npy",
    "assets/atlas/*",
    "assets/transfer/metarank.json",
    "checkpoints/modellens.safetensors", "checkpoints/config.json", "checkpoints/vocab.json",
    "checkpoints/evidence.safetensors", "checkpoints/name_tokens.safetensors",
)


class IntegrityError(RuntimeError):
    """A shipped file is missing, truncated or does not match its recorded sha256."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_part(rel: str) -> str:
    """``runtime`` or ``evaluation`` for a manifest path (relative, "/"-separated)."""
    return RUNTIME if any(fnmatchcase(rel, p) for p in RUNTIME_PATTERNS) else EVALUATION


def shipped_files(assets_dir: Path) -> list[Path]:
    """Files under the assets folder and the checkpoints folder beside it."""
    files = []
    for base in (Path(assets_dir), Path(assets_dir).parent / "checkpoints"):
        if base.is_dir():
            files += [p for p in base.rglob("*") if p.is_file() and p.name not in _IGNORED
                      and not _IGNORED_DIRS & set(p.relative_to(base).parts)]
    return sorted(files)


def write_manifest(assets_dir: Path, counts: dict | None = None) -> dict:
    """(Re)write the manifest; keeps existing counts when none are given. Paths are relative
    to the folder holding ``assets/`` and ``checkpoints/``; each file records its part."""
    root, path = Path(assets_dir).parent, Path(assets_dir) / MANIFEST
    old = json.loads(path.read_text()) if path.exists() else {}
    files = {}
    for p in shipped_files(assets_dir):
        rel = p.relative_to(root).as_posix()
        files[rel] = {"sha256": sha256(p), "bytes": p.stat().st_size, "part": file_part(rel)}
    manifest = {"counts": counts if counts is not None else old.get("counts", {}), "files": files,
                "parts": {RUNTIME: "read by the app (python app.py); verified by Recommender.load()",
                          EVALUATION: "evaluation and tests only (splits, checkpoints/eval, build report, "
                                      "model card); verified by evaluate"}}
    if counts:
        manifest.update({k: counts[k] for k in ("records", "models", "datasets", "groups", "sources") if k in counts})
    elif old:
        manifest.update({k: old[k] for k in ("records", "models", "datasets", "groups", "sources") if k in old})
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def read_manifest(assets_dir: Path) -> dict:
    """The manifest as written (IntegrityError when it is missing or not JSON)."""
    path = Path(assets_dir) / MANIFEST
    if not path.exists():
        raise IntegrityError(f"missing {path}: cannot verify the shipped files")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise IntegrityError(f"{path} is not valid JSON: {exc}") from exc


def part_files(manifest: dict, part: str = ALL) -> dict[str, dict]:
    """The manifest's files of one part (``runtime``, ``evaluation`` or ``all``), path -> entry.
    A manifest written before the parts existed is split by :func:`file_part`."""
    if part not in (*PARTS, ALL):
        raise ValueError(f"unknown manifest part {part!r}: expected one of {', '.join((*PARTS, ALL))}")
    files = manifest.get("files", {})
    return {rel: meta for rel, meta in sorted(files.items())
            if part == ALL or meta.get("part", file_part(rel)) == part}


def verify_manifest(assets_dir: Path, part: str = ALL, checkpoints_dir: Path | None = None) -> dict:
    """Check every file of ``part`` listed in the manifest; raise IntegrityError naming the first
    bad file. Paths are relative to the folder holding ``assets_dir``. ``checkpoints_dir``: the
    checkpoint folder in use; when it is not the ``checkpoints/`` beside ``assets_dir`` (a
    checkpoint trained elsewhere, which the manifest does not describe), the manifest's checkpoint
    files are not checked. Returns the manifest."""
    root, path = Path(assets_dir).parent, Path(assets_dir) / MANIFEST
    manifest = read_manifest(assets_dir)
    skip_checkpoints = (checkpoints_dir is not None
                        and Path(checkpoints_dir).resolve() != (root / "checkpoints").resolve())
    for rel, meta in part_files(manifest, part).items():
        if skip_checkpoints and rel.startswith("checkpoints/"):
            continue
        p = root / rel
        if not p.exists():
            raise IntegrityError(f"missing file {rel} (listed in {path.name})")
        if p.stat().st_size != meta["bytes"]:
            raise IntegrityError(f"truncated or altered file {rel}: {p.stat().st_size} bytes, expected {meta['bytes']}")
        if sha256(p) != meta["sha256"]:
            raise IntegrityError(f"tampered file {rel}: sha256 does not match {path.name}")
    return manifest
