"""``assets/manifest.json``: corpus counts and the sha256 of every file in assets/ and
checkpoints/. :func:`verify_manifest` refuses a missing, truncated or tampered file."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "manifest.json"
_IGNORED = {MANIFEST, ".gitkeep"}
_IGNORED_DIRS = {"screenshots"}  # made by the browser test, not read at load


class IntegrityError(RuntimeError):
    """A shipped file is missing, truncated or does not match its recorded sha256."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
    to the folder holding ``assets/`` and ``checkpoints/``."""
    root, path = Path(assets_dir).parent, Path(assets_dir) / MANIFEST
    old = json.loads(path.read_text()) if path.exists() else {}
    files = {str(p.relative_to(root)): {"sha256": sha256(p), "bytes": p.stat().st_size}
             for p in shipped_files(assets_dir)}
    manifest = {"counts": counts if counts is not None else old.get("counts", {}), "files": files}
    if counts:
        manifest.update({k: counts[k] for k in ("records", "models", "datasets", "groups", "sources") if k in counts})
    elif old:
        manifest.update({k: old[k] for k in ("records", "models", "datasets", "groups", "sources") if k in old})
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def verify_manifest(assets_dir: Path) -> dict:
    """Check every file listed in the manifest; raise IntegrityError naming the first bad file."""
    root, path = Path(assets_dir).parent, Path(assets_dir) / MANIFEST
    if not path.exists():
        raise IntegrityError(f"missing {path}: cannot verify the shipped files")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise IntegrityError(f"{path} is not valid JSON: {exc}") from exc
    for rel, meta in sorted(manifest.get("files", {}).items()):
        p = root / rel
        if not p.exists():
            raise IntegrityError(f"missing file {rel} (listed in {path.name})")
        if p.stat().st_size != meta["bytes"]:
            raise IntegrityError(f"truncated or altered file {rel}: {p.stat().st_size} bytes, expected {meta['bytes']}")
        if sha256(p) != meta["sha256"]:
            raise IntegrityError(f"tampered file {rel}: sha256 does not match {path.name}")
    return manifest
