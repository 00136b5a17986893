"""Fixtures shared by the build tests."""
import shutil

import pytest

from modellens_core.build.manifest import write_manifest


@pytest.fixture
def copy(tmp_path, synthetic_assets, tiny_checkpoints):
    """A private copy of the synthetic assets and every checkpoint (app and evaluation), with a manifest."""
    shutil.copytree(synthetic_assets, tmp_path / "assets")
    shutil.copytree(tiny_checkpoints, tmp_path / "checkpoints")
    write_manifest(tmp_path / "assets")
    return tmp_path
