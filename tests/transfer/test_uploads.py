"""Defensive parsing of uploads: valid .npz / .csv, and every kind of malformed file gives a
ValueError whose message names the file."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modellens_core.transfer import uploads
from modellens_core.transfer.uploads import model_name, parse_uploads, read_npz, read_scores_csv


def arrays(n=30, d=6, z=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    features = rng.normal(size=(n, d)) + labels[:, None]
    logits = rng.normal(size=(n, z))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return features, labels, probs


def save(path, **arrs):
    np.savez(path, **arrs)
    return path


def test_valid_npz_files_and_model_names(tmp_path):
    f, y, p = arrays()
    a = save(tmp_path / "resnet50.npz", features=f, labels=y, probs=p)
    b = save(tmp_path / "org__vit-base.npz", features=f[:, :3], labels=y.astype(str))
    out = parse_uploads([str(a), {"path": str(b)}])
    assert out.scores is None and list(out.arrays) == ["resnet50", "org/vit-base"]
    feats, labels, probs = out.arrays["resnet50"]
    assert feats.shape == (30, 6) and feats.dtype == np.float64 and np.allclose(probs.sum(axis=1), 1)
    assert out.arrays["org/vit-base"][2] is None
    assert out.notices and "differ" in out.notices[0]          # int vs string labels: not the same samples
    assert model_name("/tmp/x/google__vit-b16.npz") == "google/vit-b16"


@pytest.mark.parametrize("make, message", [
    (lambda f, y, p: dict(features=f), "missing array(s) labels"),
    (lambda f, y, p: dict(features=f[:-1], labels=y), "29 rows but 'labels' has 30"),
    (lambda f, y, p: dict(features=np.where(np.arange(30)[:, None] == 3, np.nan, f), labels=y), "NaN or inf"),
    (lambda f, y, p: dict(features=f, labels=np.r_[y[:-1], 7]), "Too few samples per class"),
    (lambda f, y, p: dict(features=f.astype(np.complex128), labels=y), "must be numeric"),
    (lambda f, y, p: dict(features=f, labels=y.astype(object)), "object array"),
    (lambda f, y, p: dict(features=f, labels=y + 0.5), "look continuous"),
    (lambda f, y, p: dict(features=f[:, 0], labels=y), "must be 2-D"),
    (lambda f, y, p: dict(features=f, labels=y, probs=p * 2), "each row summing to 1"),
    (lambda f, y, p: dict(features=f, labels=y, probs=p[:5]), "'probs' must be [N=30"),
])
def test_malformed_npz_is_refused_with_the_file_name(tmp_path, make, message):
    path = tmp_path / "badmodel.npz"
    np.savez(path, **make(*arrays()))
    with pytest.raises(ValueError) as exc:
        parse_uploads([str(path)])
    assert str(exc.value).startswith("badmodel.npz:") and message in str(exc.value)


def test_broken_files_and_types(tmp_path):
    f, y, p = arrays()
    good = save(tmp_path / "good.npz", features=f, labels=y)
    truncated = tmp_path / "cut.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    garbage = tmp_path / "junk.npz"
    garbage.write_bytes(b"\x00not a zip at all" * 10)
    for path, name in ((truncated, "cut.npz"), (garbage, "junk.npz")):
        with pytest.raises(ValueError, match=rf"^{name}: .*(zip|damaged)"):
            read_npz(path)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    out = parse_uploads([str(good), str(text)])                      # the valid file is still used
    assert list(out.arrays) == ["good"] and len(out.errors) == 1
    assert out.errors[0].startswith("notes.txt: unsupported file type")
    with pytest.raises(ValueError, match="notes.txt: unsupported file type"):
        parse_uploads([str(text)])
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty.npz: the file is empty"):
        parse_uploads([str(empty)])
    with pytest.raises(ValueError, match="Upload one .npz"):
        parse_uploads([])


def test_limits(tmp_path, monkeypatch):
    f, y, p = arrays()
    big = save(tmp_path / "big.npz", features=f, labels=y)
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="big.npz: .* over the 0 MB limit"):
        parse_uploads([str(big)])
    monkeypatch.setattr(uploads, "MAX_FILE_BYTES", 50 * 2**20)
    bomb = tmp_path / "bomb.npz"
    np.savez_compressed(bomb, features=np.zeros((3000, 500)), labels=np.arange(3000) % 2)   # ~12 MB unpacked
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED_BYTES", 2**20)
    with pytest.raises(ValueError, match="bomb.npz: .*decompressed"):
        parse_uploads([str(bomb)])
    with pytest.raises(ValueError, match="at most 20"):
        parse_uploads([str(big)] * 21)
    twice = parse_uploads([str(big), str(save(tmp_path / "BIG.npz", features=f, labels=y))])
    assert list(twice.arrays) == ["big"] and "BIG.npz: model 'BIG' was uploaded twice" in twice.errors[0]
    csv = tmp_path / "scores.csv"
    csv.write_text("model,logme\na,1\n")
    with pytest.raises(ValueError, match="not both"):
        parse_uploads([str(big), str(csv)])


def test_valid_scores_csv(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("Model,LogME,H-score,N-LEEP\nresnet50,1.5,3,\norg/vit,-0.25,4.5,nan\n")
    out = parse_uploads(str(path))
    assert out.arrays is None
    df = out.scores
    assert df.columns.tolist() == ["model", "logme", "h_score", "nleep"]
    assert df["model"].tolist() == ["resnet50", "org/vit"] and df["logme"].tolist() == [1.5, -0.25]
    assert df["nleep"].isna().all() and df["h_score"].dtype == np.float64
    # a DataFrame passed from Python goes through the same checks
    from modellens_core.transfer.uploads import check_scores
    assert check_scores(pd.DataFrame({"model": ["a", "b"], "gbc": [1.0, 2.0]}))["gbc"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize("text, message", [
    ("model,logme,frobnicate\na,1,2\n", "unknown estimator column(s) frobnicate"),
    ("model,logme\na,1\nb,high\n", "non-numeric value 'high' (model 'b')"),
    ("model,logme\na,1\nb,inf\n", "infinite value"),
    ("name,logme\na,1\n", "exactly one 'model' column"),
    ("model,logme\na,1\nA,2\n", "appears more than once"),
    ("model\na\n", "no estimator column"),
    ("model,logme\n,1\n", "row 2 has an empty model name"),
    ("model,logme\n", "no rows"),
    ('model,logme\n"a,1\n', "could not parse"),
])
def test_malformed_csv_is_refused_with_the_file_name(tmp_path, text, message):
    path = tmp_path / "est.csv"
    path.write_text(text)
    with pytest.raises(ValueError) as exc:
        read_scores_csv(path)
    assert str(exc.value).startswith("est.csv:") and message in str(exc.value)


def test_binary_csv(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError, match="bin.csv: "):
        read_scores_csv(path)


def test_every_bad_file_is_reported_by_name_and_valid_ones_are_used(tmp_path):
    f, y, p = arrays()
    good = save(tmp_path / "org__good.npz", features=f, labels=y, probs=p)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[:40])
    nolabels = save(tmp_path / "nolabels.npz", features=f)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    out = parse_uploads([str(cut), str(good), str(nolabels), str(text)])
    assert list(out.arrays) == ["org/good"]
    assert [e.split(":")[0] for e in out.errors] == ["notes.txt", "cut.npz", "nolabels.npz"]
    assert "missing array(s) labels" in out.errors[2]
    with pytest.raises(ValueError) as exc:                             # nothing usable: every file, one a line
        parse_uploads([str(cut), str(nolabels), str(text)])
    lines = str(exc.value).splitlines()
    assert [x.split(":")[0] for x in lines] == ["notes.txt", "cut.npz", "nolabels.npz"]
    csv = tmp_path / "scores.csv"
    csv.write_text("model,logme\na,1\n")
    both = parse_uploads([str(csv), str(text)])                          # a CSV with a stray file: CSV used
    assert list(both.scores["model"]) == ["a"] and both.errors[0].startswith("notes.txt")


def test_next_upload_set_replaces_unless_adding():
    from modellens_core.transfer.uploads import next_upload_set
    old = ["/up/1/a.npz", {"path": "/up/2/bad.npz"}]
    current = [*old, "/up/3/c.npz"]                                     # what the file input holds after an upload
    assert next_upload_set(old, current, add=False) == ["/up/3/c.npz"]
    assert next_upload_set(old, current, add=True) == current
    assert next_upload_set(None, ["/up/1/a.npz"], add=False) == ["/up/1/a.npz"]
    assert next_upload_set(old, old[:1], add=False) == old[:1]           # a removal (nothing new): what is left
    assert next_upload_set(old, [], add=True) == []
    assert next_upload_set([], ["/x/a.npz", "/x/a.npz"], add=False) == ["/x/a.npz"]
