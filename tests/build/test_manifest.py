"""The manifest's two parts: what the app reads (verified by Recommender.load) and what only
evaluation and tests read (verified by `evaluate`)."""
import argparse
import json
import shutil

import pytest

from modellens_core.build.manifest import (
    EVALUATION,
    RUNTIME,
    RUNTIME_PATTERNS,
    IntegrityError,
    file_part,
    part_files,
    read_manifest,
    verify_manifest,
    write_manifest,
)
from modellens_core.common.paths import ASSETS


def _damage(path):
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))


def test_every_file_is_marked_with_its_part(copy):
    files = read_manifest(copy / "assets")["files"]
    runtime, evaluation = part_files({"files": files}, RUNTIME), part_files({"files": files}, EVALUATION)
    assert set(runtime) | set(evaluation) == set(files) and not set(runtime) & set(evaluation)
    assert {"assets/corpus/records.parquet", "assets/corpus/models.parquet", "assets/corpus/model_emb_codes.npy",
            "checkpoints/modellens.safetensors", "checkpoints/config.json", "checkpoints/vocab.json",
            "checkpoints/evidence.safetensors", "checkpoints/name_tokens.safetensors"} <= set(runtime)
    assert "assets/corpus/splits/completion.parquet" in evaluation
    assert "checkpoints/eval/completion/modellens.safetensors" in evaluation
    assert not any(rel.startswith(("checkpoints/eval/", "assets/corpus/splits/")) for rel in runtime)
    assert all(meta["part"] in (RUNTIME, EVALUATION) for meta in files.values())


def test_load_verifies_the_runtime_part_only(copy):
    from modellens_core.serving.recommender import Recommender
    _damage(copy / "checkpoints" / "eval" / "completion" / "modellens.safetensors")
    _damage(copy / "assets" / "corpus" / "splits" / "new_models.parquet")
    rec = Recommender.load(copy / "assets", copy / "checkpoints")          # the app does not read them
    assert len(rec.recommend("English speech recordings, transcribed.", top_k=3).table) == 3
    verify_manifest(copy / "assets", part=RUNTIME)
    with pytest.raises(IntegrityError, match="tampered file assets/corpus/splits/new_models.parquet"):
        verify_manifest(copy / "assets", part=EVALUATION)                    # the first bad file, in path order
    with pytest.raises(IntegrityError, match="tampered file assets/corpus/splits/new_models.parquet"):
        verify_manifest(copy / "assets")                                     # default: every file
    (copy / "assets" / "corpus" / "splits" / "new_models.parquet").unlink()
    with pytest.raises(IntegrityError, match="missing file assets/corpus/splits/new_models.parquet"):
        verify_manifest(copy / "assets", part=EVALUATION)
    write_manifest(copy / "assets")        # the eval checkpoint is now recorded as it is; the split is gone
    verify_manifest(copy / "assets")
    _damage(copy / "checkpoints" / "eval" / "completion" / "modellens.safetensors")
    with pytest.raises(IntegrityError, match="checkpoints/eval/completion/modellens.safetensors"):
        verify_manifest(copy / "assets", part=EVALUATION)
    verify_manifest(copy / "assets", part=RUNTIME)


def test_load_refuses_a_damaged_runtime_file(copy):
    from modellens_core.serving.recommender import Recommender
    _damage(copy / "checkpoints" / "evidence.safetensors")
    with pytest.raises(IntegrityError, match="evidence.safetensors"):
        Recommender.load(copy / "assets", copy / "checkpoints")


def test_evaluate_verifies_the_evaluation_part(copy, capsys):
    from modellens_core.evaluation.harness import cli
    (copy / "assets" / "corpus" / "splits" / "completion.parquet").unlink()
    args = argparse.Namespace(assets=str(copy / "assets"), checkpoints=str(copy / "checkpoints"), json=True,
                              settings=["completion"], write=None)
    assert cli(args) == 2                                                    # before any evaluation runs
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: missing file assets/corpus/splits/completion.parquet")


def test_a_checkpoint_folder_elsewhere_is_not_checked_against_the_manifest(copy, tmp_path_factory):
    other = tmp_path_factory.mktemp("other") / "checkpoints"
    shutil.copytree(copy / "checkpoints", other)
    _damage(copy / "checkpoints" / "modellens.safetensors")                  # the shipped folder, not in use
    verify_manifest(copy / "assets", part=RUNTIME, checkpoints_dir=other)
    with pytest.raises(IntegrityError, match="checkpoints/modellens.safetensors"):
        verify_manifest(copy / "assets", part=RUNTIME, checkpoints_dir=copy / "checkpoints")


def test_a_manifest_without_parts_is_split_by_path(copy):
    path = copy / "assets" / "manifest.json"
    manifest = json.loads(path.read_text())
    for meta in manifest["files"].values():
        del meta["part"]
    path.write_text(json.dumps(manifest))
    assert set(part_files(read_manifest(copy / "assets"), RUNTIME)) == {
        rel for rel in manifest["files"] if file_part(rel) == RUNTIME}
    _damage(copy / "checkpoints" / "eval" / "new_models" / "vocab.json")
    verify_manifest(copy / "assets", part=RUNTIME)
    with pytest.raises(ValueError, match="unknown manifest part"):
        verify_manifest(copy / "assets", part="everything")


def test_runtime_patterns_name_the_files_the_loaders_open():
    """The patterns are plain strings (build/ may not import the later stages): they must follow
    the file names the checkpoint, the Atlas and the Transferability selector use."""
    from modellens_core.ranker.checkpoint import Checkpoint
    from modellens_core.serving.atlas import ATLAS_DIR, DATASET_CROSS, META, POINTS
    from modellens_core.transfer.metarank import ASSET
    for name in (Checkpoint.WEIGHTS, Checkpoint.CONFIG, Checkpoint.VOCAB, Checkpoint.EVIDENCE, Checkpoint.NAME_TOKENS):
        assert file_part(f"checkpoints/{name}") == RUNTIME, name
        assert file_part(f"checkpoints/eval/completion/{name}") == EVALUATION, name
    for name in (POINTS, DATASET_CROSS, META):
        assert file_part(f"assets/{ATLAS_DIR}/{name}") == RUNTIME
    assert file_part(f"assets/{ASSET.as_posix()}") == RUNTIME
    for rel in ("assets/corpus/splits/completion.parquet", "assets/corpus/build_report.json",
                "checkpoints/MODEL_CARD.md"):
        assert file_part(rel) == EVALUATION, rel
    assert all(p.startswith(("assets/", "checkpoints/")) for p in RUNTIME_PATTERNS)


def test_the_shipped_manifest_is_split_as_the_patterns_say():
    files = read_manifest(ASSETS)["files"]
    assert all(meta.get("part") == file_part(rel) for rel, meta in files.items())
    runtime = part_files({"files": files}, RUNTIME)
    assert "checkpoints/evidence.safetensors" in runtime and "assets/atlas/points.parquet" in runtime
    assert not any("/eval/" in rel or "/splits/" in rel for rel in runtime)
