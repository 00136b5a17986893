import re
from pathlib import Path

import pytest

from modellens_core.build.manifest import IntegrityError, verify_manifest

PACKAGE = Path(__file__).resolve().parents[2] / "modellens_core"


def test_intact_copy_verifies(copy):
    files = verify_manifest(copy / "assets")["files"]
    assert "checkpoints/modellens.safetensors" in files and "assets/corpus/records.parquet" in files


@pytest.mark.parametrize("damage", ["missing", "truncated", "tampered"])
def test_damaged_file_stops_the_load_naming_it(copy, damage):
    from modellens_core.serving.recommender import Recommender
    target = copy / "checkpoints" / "modellens.safetensors"
    data = target.read_bytes()
    if damage == "missing":
        target.unlink()
    elif damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    else:
        target.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(IntegrityError, match="modellens.safetensors"):
        Recommender.load(copy / "assets", copy / "checkpoints")


def test_no_pickle_in_loading_paths():
    bad = []
    for p in PACKAGE.rglob("*.py"):
        src = p.read_text()
        if re.search(r"^\s*import pickle|^\s*from pickle|cPickle|joblib\.load|allow_pickle\s*=\s*True", src, re.M):
            bad.append(p.name)
        for call in re.findall(r"torch\.load\([^)]*\)", src):
            if "weights_only=True" not in call:
                bad.append(f"{p.name}: {call}")
        if re.search(r"pd\.read_pickle|np\.load\((?![^)]*allow_pickle=False)", src):
            bad.append(f"{p.name}: unsafe load")
    assert not bad, bad
