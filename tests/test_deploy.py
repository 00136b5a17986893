"""`deploy-space`: the Space gets exactly the app, the package and the manifest's run-time files;
the Hub is a local stand-in (monkeypatched HfApi), never the network; a copy of the file list
alone starts the app and answers /recommend. Also: the README's sdk_version follows the gradio pin,
and the shipped evidence index is stored in compact dtypes."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import huggingface_hub
import numpy as np
import pandas as pd
import pytest
from huggingface_hub import constants
from huggingface_hub.errors import OfflineModeIsEnabled

from modellens_core.__main__ import main
from modellens_core.build.manifest import RUNTIME, part_files, read_manifest, write_manifest
from modellens_core.common.paths import ASSETS, CHECKPOINTS, ROOT
from modellens_core.deploy import DeployError, deploy, space_files

OFFLINE = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
SPEECH = "Speech recognition benchmark: English audiobook recordings transcribed to text."


class FakeHub:
    """A local stand-in for huggingface_hub.HfApi: records the calls, reaches nothing."""
    calls: list = []

    def __init__(self, token=None, **kw):
        FakeHub.calls.append(("init", {"token": token, **kw}))

    def create_repo(self, repo_id, **kw):
        FakeHub.calls.append(("create_repo", {"repo_id": repo_id, **kw}))
        return f"https://huggingface.co/spaces/{repo_id}"

    def upload_folder(self, **kw):
        FakeHub.calls.append(("upload_folder", kw))


@pytest.fixture
def hub(monkeypatch):
    """The stand-in Hub, online mode and a token (all undone after the test)."""
    FakeHub.calls = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHub)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_test_token")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    return FakeHub


def _dry_run(capsys, *extra) -> tuple[list[str], str]:
    assert main(["deploy-space", "someone/modellens", "--dry-run", *extra]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    return [line.split()[1] for line in out[1:-1]], out[-1]


def test_dry_run_lists_the_app_the_package_and_the_runtime_files_only(capsys):
    paths, total = _dry_run(capsys)
    assert {"app.py", "requirements.txt", "README.md", "modellens_core/__init__.py", "modellens_core/__main__.py",
            "modellens_core/deploy.py", "modellens_core/ui/launch.py", "assets/manifest.json"} <= set(paths)
    package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "modellens_core").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert package == {p for p in paths if p.startswith("modellens_core/")}      # sources and data files
    assert "modellens_core/ranker/configs/production.json" in package
    data = {p for p in paths if p.startswith(("assets/", "checkpoints/"))}
    assert data == set(part_files(read_manifest(ASSETS), RUNTIME)) | {"assets/manifest.json"}
    assert {"checkpoints/evidence.safetensors", "assets/corpus/records.parquet", "assets/atlas/points.parquet",
            "assets/transfer/metarank.json"} <= data
    assert not [p for p in paths if p.startswith(("tests/", "benchmarks/", "checkpoints/eval/", ".venv/", ".ci/"))
                or "/splits/" in p or "screenshots" in p or "__pycache__" in p or p.endswith((".pyc", "MODEL_CARD.md"))]
    assert paths == sorted(paths) and len(paths) == len(set(paths))
    size = sum((ROOT / p).stat().st_size for p in paths)
    assert total.startswith(f"{len(paths)} files,") and f"({size:,} bytes)" in total


def test_deploy_creates_a_gradio_space_and_uploads_exactly_the_list(hub, capsys):
    paths, _ = _dry_run(capsys)
    assert main(["deploy-space", "someone/modellens", "--private"]) == 0
    assert "deployed: https://huggingface.co/spaces/someone/modellens" in capsys.readouterr().out
    (_, init), (_, create), (_, upload) = hub.calls
    assert init["token"] == "hf_test_token"
    assert create == {"repo_id": "someone/modellens", "repo_type": "space", "space_sdk": "gradio", "private": True,
                      "exist_ok": True}
    assert upload["repo_id"] == "someone/modellens" and upload["repo_type"] == "space"
    assert Path(upload["folder_path"]) == ROOT and upload["allow_patterns"] == paths
    for pattern in ("tests/*", "benchmarks/*", "checkpoints/eval/*", "*/__pycache__/*", ".venv/*", "*.pyc",
                    "assets/screenshots/*"):
        assert pattern in upload["ignore_patterns"]
    # what upload_folder itself would pick from this tree with those patterns: exactly the list
    from huggingface_hub.utils import filter_repo_objects
    tree = [p.relative_to(ROOT).as_posix() for p in sorted(ROOT.glob("**/*")) if p.is_file()
            and ".git" not in p.relative_to(ROOT).parts]
    picked = filter_repo_objects(tree, allow_patterns=upload["allow_patterns"],
                                 ignore_patterns=upload["ignore_patterns"])
    assert sorted(picked) == paths
    # without --private the owner's default visibility applies
    hub.calls.clear()
    assert main(["deploy-space", "someone/modellens"]) == 0
    assert hub.calls[1][1]["private"] is None


def test_offline_the_real_command_fails_with_one_clear_line(tmp_path):
    """The real huggingface_hub, in a fresh process, offline: one `error:` line, exit code 2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"))}
    env.update(OFFLINE, HF_HOME=str(tmp_path / "hf_home"))
    run = subprocess.run([sys.executable, "-m", "modellens_core", "deploy-space", "someone/modellens"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert run.stderr.startswith("error: offline mode is on (HF_HUB_OFFLINE=1)") and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_no_token_or_a_hub_failure_is_one_clear_line(hub, monkeypatch, capsys):
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    assert main(["deploy-space", "someone/modellens"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [err[0]] and err[0].startswith("error: no Hugging Face token") and not hub.calls
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_test_token")

    def refused(self, repo_id, **kw):
        raise OfflineModeIsEnabled("Cannot reach https://huggingface.co/api/repos/create: "
                                                          "offline mode is enabled.\nmore detail")
    monkeypatch.setattr(FakeHub, "create_repo", refused)
    assert main(["deploy-space", "someone/modellens"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("error: could not publish the Space someone/modellens: OfflineModeIsEnabled: Cannot reach "
                       "https://huggingface.co/api/repos/create: offline mode is enabled.")
    assert not any(c == "upload_folder" for c, _ in hub.calls)


def test_sdk_version_is_the_pinned_gradio():
    import yaml
    from packaging.requirements import Requirement
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith("---\n")
    front = yaml.safe_load(readme.split("---\n")[1])
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    pins = [r for r in map(Requirement, filter(None, lines)) if r.name == "gradio"]
    assert len(pins) == 1 and front["sdk"] == "gradio"
    version, spec = str(front["sdk_version"]), pins[0].specifier
    assert spec.contains(version), (version, str(spec))
    # the same release as the pin: "==6.31.*" -> 6.31.x, "==6.31.0" -> 6.31.0
    (pin,) = [s.version for s in spec if s.operator == "=="]
    assert version.startswith(pin.rstrip("*").rstrip(".")), (version, pin)


def test_only_the_cli_imports_the_deploy_module():
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "modellens_core").rglob("*.py")
             if p.name != "deploy.py" and ("from .deploy" in p.read_text() or "modellens_core.deploy" in p.read_text())]
    assert users == ["modellens_core/__main__.py"]


def test_files_outside_the_upload_folder_are_refused(synthetic_assets, tiny_checkpoints, hub):
    files = space_files(ROOT, synthetic_assets, tiny_checkpoints)     # a dry-run list may mix folders ...
    with pytest.raises(DeployError, match="upload_folder uploads one folder"):
        deploy("someone/modellens", files=files, root=ROOT)          # ... an upload may not
    assert not hub.calls


# --------------------------------------------------------------------------- the copied Space
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def space(tmp_path, synthetic_assets, tiny_checkpoints):
    """The synthetic build with every run-time part (Atlas, selector) and its evaluation
    checkpoints, and a folder holding exactly its dry-run file list."""
    from modellens_core.serving.atlas import build_atlas, pca_project
    src = tmp_path / "build"
    shutil.copytree(synthetic_assets, src / "assets")
    shutil.copytree(tiny_checkpoints, src / "checkpoints")
    build_atlas(src / "assets", src / "checkpoints", project=pca_project, log=lambda *_: None)
    (src / "assets" / "transfer").mkdir(exist_ok=True)
    shutil.copy(ASSETS / "transfer" / "metarank.json", src / "assets" / "transfer" / "metarank.json")
    write_manifest(src / "assets")
    files = space_files(ROOT, src / "assets", src / "checkpoints")
    out = tmp_path / "space"
    for f in files:
        (out / f.path_in_repo).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f.local, out / f.path_in_repo)
    return out, [f.path_in_repo for f in files]


def test_the_file_list_alone_runs_the_app_and_answers_recommend(space, hub):
    from gradio_client import Client
    folder, paths = space
    assert "checkpoints/eval/completion/modellens.safetensors" not in paths and "assets/atlas/points.parquet" in paths
    # the copy lists itself identically, and deploys from itself
    assert [f.path_in_repo for f in space_files(folder)] == paths
    deploy("someone/modellens", root=folder)
    assert hub.calls[-1][1]["allow_patterns"] == paths and Path(hub.calls[-1][1]["folder_path"]) == folder
    # start `python app.py` there (a fresh process: the package and assets come from the copy)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELLENS_", "PYTHONPATH"))}
    env.update(OFFLINE, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port))
    log = open(folder.parent / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        client, deadline = None, time.time() + 180
        while client is None:
            assert proc.poll() is None, (folder.parent / "app.log").read_text()[-3000:]
            assert time.time() < deadline, "the app did not start: " + (folder.parent / "app.log").read_text()[-3000:]
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
            except Exception:   # not listening yet
                time.sleep(1)
        table, status, *_ = client.predict(description=SPEECH, top_k=5, api_name="/recommend")
        names = [dict(zip(table["headers"], r))["model"] for r in table["data"]]
        catalog = set(pd.read_parquet(folder / "assets" / "corpus" / "models.parquet")["model"])
        assert len(names) == 5 and set(names) <= catalog           # ranked from the copy's (synthetic) catalog
        assert "automatic" in status and "speech" in status
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# --------------------------------------------------------------------------- compact evidence
def test_the_evidence_index_is_stored_compact_and_loads_the_same_numbers(synthetic_assets, tiny_checkpoints):
    from safetensors import safe_open

    from modellens_core.build.corpus import Corpus
    from modellens_core.ranker.checkpoint import Checkpoint
    from modellens_core.ranker.evidence import MEMORY_DTYPES, TABLES
    from modellens_core.ranker.train import training_evidence
    for path in (tiny_checkpoints / "evidence.safetensors", CHECKPOINTS / "evidence.safetensors"):
        with safe_open(str(path), "np") as f:
            stored = {k: f.get_tensor(k).dtype for k in f.keys()}
        assert not [k for k, d in stored.items() if d.itemsize == 8], stored     # no int64 / float64 on disk
    corpus = Corpus(synthetic_assets)
    ck = Checkpoint(tiny_checkpoints)
    model = ck.load()[0]
    built = training_evidence(corpus, corpus.split(model.cfg.setting), model.cfg)
    loaded = ck.evidence(corpus.dataset_emb)
    for t in TABLES:
        a, b = getattr(loaded, t), getattr(built, t)
        assert a.dtype == b.dtype == MEMORY_DTYPES[t], t
        np.testing.assert_array_equal(a, b, err_msg=t)                         # exact: nothing lost on disk
    # the evidence of every record's (model, group) pair, from the loaded and the built index
    rec = corpus.records
    groups = rec.drop_duplicates("group").reset_index(drop=True)
    g = pd.Series(np.arange(len(groups)), index=groups["group"]).reindex(rec["group"]).to_numpy()
    rows = pd.Series(np.arange(len(corpus.models)), index=corpus.models["model"]).reindex(rec["model"]).to_numpy()
    new = loaded.for_rows(loaded.for_groups(groups, corpus.datasets), rows, g)
    old = built.for_rows(built.for_groups(groups, corpus.datasets), rows, g)
    assert np.abs(old).sum() > 0
    np.testing.assert_array_equal(new, old)


def test_keys_beyond_int32_are_split_and_rebuilt_exactly():
    from modellens_core.ranker.evidence import _pack, _unpack

    class Stored(dict):
        get_tensor = dict.__getitem__

    keys = np.array([0, 5, 2**31 + 7, 9_345_889_059, 2_163_763_454_768], np.int64)
    stored, layout = _pack("sub_keys", keys, 8026)
    assert {k: v.dtype for k, v in stored.items()} == {"sub_keys.hi": np.int32, "sub_keys.lo": np.int16}
    back = _unpack(Stored(stored), "sub_keys", layout)
    assert back.dtype == np.int64 and np.array_equal(back, keys)
    stored, layout = _pack("pair_keys", np.array([3, 269_594_250]), None)
    assert stored["pair_keys"].dtype == np.int32 and layout == {"as": "int"}
    stored, _ = _pack("task_n", np.array([1.0, 384.0]), None)
    assert stored["task_n"].dtype == np.int16
    with pytest.raises(AssertionError, match="values change in float32"):
        _pack("task_sum", np.array([0.1]), None)                     # a float64 table is never rounded on save
    with pytest.raises(AssertionError, match="counts must be integers"):
        _pack("fam_n", np.array([1.5]), None)
