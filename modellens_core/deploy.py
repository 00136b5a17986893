"""``python -m modellens_core deploy-space REPO_ID [--private] [--dry-run]``: publish the app as a
Hugging Face Space.

The Space gets exactly what ``python app.py`` needs (:func:`space_files`): ``app.py``,
``requirements.txt``, ``README.md`` (its front matter configures the Space), the package
(sources and data files, no caches), ``assets/manifest.json`` and the manifest's run-time part (corpus tables and
embeddings, Atlas, Transferability selector, app checkpoint; see :mod:`.build.manifest`), after
checking that part against the manifest. Never tests, benchmarks, evaluation checkpoints, split
labels, screenshots, caches or virtual environments.

``huggingface_hub`` creates the Space if needed (``create_repo(repo_type="space",
space_sdk="gradio", exist_ok=True)``) and uploads the files with ``upload_folder`` (explicit
``allow_patterns``, plus ``ignore_patterns`` as a second fence); it stores the files over 10 MB
as large files itself, so this repository needs no Git LFS. ``--dry-run`` prints the list and
the total size and calls nothing. A failure (offline, no token, refused by the Hub, a file that
does not match the manifest) is one ``error:`` line and exit code 2.

Only ``__main__`` imports this module (no stage of the data path depends on it).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from .build.manifest import MANIFEST, RUNTIME, IntegrityError, part_files, read_manifest, verify_manifest
from .common.paths import ROOT

PACKAGE = "modellens_core"
APP_FILES = ("app.py", "requirements.txt", "README.md")
# The package goes whole, less compiled caches: its data files are small and some are read at run
# time (build/registry_data/*.csv behind name matching); ranker/configs/*.json (training only) come along.
CACHE_PARTS, CACHE_SUFFIXES = {"__pycache__"}, (".pyc", ".pyo")
# A second fence behind the explicit allow-list (fnmatch: "*" also crosses "/").
IGNORE_PATTERNS = (
    ".git/*", ".venv/*", "venv/*", "*/.venv/*", "__pycache__/*", "*/__pycache__/*", "*.pyc",
    ".pytest_cache/*", "*/.pytest_cache/*", ".cache/*", "*/.cache/*", ".ci/*",
    "tests/*", "benchmarks/*", "checkpoints/eval/*", "assets/screenshots/*", "assets/corpus/splits/*",
)
SDK = "gradio"
LARGE = 10 * 1024 * 1024   # a plain git push to a Space refuses files over 10 MB without LFS


class DeployError(RuntimeError):
    """The Space cannot be published as asked (the message says why, in one line)."""


@dataclass(frozen=True)
class SpaceFile:
    local: Path          # the file on this machine
    path_in_repo: str    # where the Space gets it ("/"-separated)
    bytes: int


def space_files(root: Path = ROOT, assets: Path | None = None, checkpoints: Path | None = None) -> list[SpaceFile]:
    """Every file the Space gets, sorted by its path in the Space: the app files and the package
    (less caches) under ``root``, and the manifest plus its run-time part from ``assets`` and
    ``checkpoints`` (default ``root/assets`` and ``root/checkpoints``; the two must sit side by
    side, as the manifest records them). Raises :class:`DeployError` when a run-time file is
    missing or does not match the manifest, or when a listed file matches an ignore pattern."""
    root = Path(root)
    assets = Path(assets) if assets is not None else root / "assets"
    checkpoints = Path(checkpoints) if checkpoints is not None else assets.parent / "checkpoints"
    if assets.name != "assets" or checkpoints.resolve() != (assets.parent / "checkpoints").resolve():
        raise DeployError(f"expected assets/ and checkpoints/ side by side, as {MANIFEST} records them; got "
                          f"{assets} and {checkpoints}")
    try:
        verify_manifest(assets, part=RUNTIME, checkpoints_dir=checkpoints)
        runtime = part_files(read_manifest(assets), RUNTIME)
    except IntegrityError as exc:
        raise DeployError(f"{exc} (rebuild the files or the manifest before deploying)") from exc
    local = {name: root / name for name in APP_FILES}
    package = root / PACKAGE
    if not package.is_dir():
        raise DeployError(f"no {PACKAGE}/ package under {root}")
    for p in sorted(package.rglob("*")):
        parts = p.relative_to(package).parts
        if (p.is_file() and not CACHE_PARTS & set(parts) and not p.name.endswith(CACHE_SUFFIXES)
                and not any(part.startswith(".") for part in parts)):
            local[p.relative_to(root).as_posix()] = p
    local[f"assets/{MANIFEST}"] = assets / MANIFEST
    local.update({rel: assets.parent / rel for rel in runtime})
    missing = [rel for rel, p in local.items() if not p.is_file()]
    if missing:
        raise DeployError(f"missing {', '.join(missing)} under {root}")
    ignored = [rel for rel in local if any(fnmatchcase(rel, pat) for pat in IGNORE_PATTERNS)]
    if ignored:
        raise DeployError(f"files the Space must not get are listed: {', '.join(ignored)}")
    return [SpaceFile(p, rel, p.stat().st_size) for rel, p in sorted(local.items())]


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.1f} kB"


def describe(files: list[SpaceFile]) -> str:
    """The dry-run listing: one line per file (bytes, path in the Space), then the totals."""
    width = len(f"{max((f.bytes for f in files), default=0):,}")
    lines = [f"{f.bytes:>{width},}  {f.path_in_repo}" for f in files]
    total = sum(f.bytes for f in files)
    large = [f for f in files if f.bytes > LARGE]
    lines.append(f"{len(files)} files, {_size(total)} ({total:,} bytes) in all; {len(large)} over 10 MB "
                 f"({', '.join(f.path_in_repo for f in large) or 'none'}), stored as large files by upload_folder")
    return "\n".join(lines)


def deploy(repo_id: str, private: bool = False, files: list[SpaceFile] | None = None, root: Path = ROOT,
           log=lambda msg: print(msg, file=sys.stderr)) -> str:
    """Create the Space if needed and upload ``files`` (default :func:`space_files` of ``root``);
    returns the Space's URL. Raises :class:`DeployError` with a one-line reason."""
    import huggingface_hub as hub
    from huggingface_hub import constants

    root = Path(root)
    files = space_files(root) if files is None else files
    elsewhere = [f.path_in_repo for f in files if f.local.resolve() != (root / f.path_in_repo).resolve()]
    if elsewhere:
        raise DeployError(f"upload_folder uploads one folder: {', '.join(elsewhere[:3])} not under {root} "
                          "at its Space path")
    if constants.is_offline_mode():
        raise DeployError("offline mode is on (HF_HUB_OFFLINE=1): the Hub cannot be reached. Unset HF_HUB_OFFLINE "
                          "and retry, or use --dry-run to list the files.")
    token = hub.get_token()
    if not token:
        raise DeployError("no Hugging Face token: run `hf auth login` or set HF_TOKEN (a token with write access), "
                          "then retry.")
    api = hub.HfApi(token=token)
    log(f"uploading {len(files)} files ({_size(sum(f.bytes for f in files))}) to the Space {repo_id} ...")
    try:
        url = api.create_repo(repo_id, repo_type="space", space_sdk=SDK, private=private or None,  # None: the
                              exist_ok=True)                                                # owner's default
        api.upload_folder(repo_id=repo_id, repo_type="space", folder_path=str(root),
                          allow_patterns=[f.path_in_repo for f in files], ignore_patterns=list(IGNORE_PATTERNS),
                          commit_message="Deploy ModelLens (python -m modellens_core deploy-space)")
    except Exception as exc:  # noqa: BLE001 - every Hub or network failure becomes one clear line
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise DeployError(f"could not publish the Space {repo_id}: {type(exc).__name__}: {reason}") from exc
    return str(getattr(url, "url", None) or f"https://huggingface.co/spaces/{repo_id}")


def cli(args) -> int:
    """``deploy-space``: ``args.repo_id``, ``args.private``, ``args.dry_run``, ``args.assets``,
    ``args.checkpoints`` (the folders the files come from)."""
    try:
        files = space_files(ROOT, Path(args.assets), Path(args.checkpoints))
        if args.dry_run:
            print(f"dry run: the Space {args.repo_id} would get (bytes, path):")
            print(describe(files))
            return 0
        url = deploy(args.repo_id, private=args.private, files=files)
    except DeployError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"deployed: {url}")
    return 0
