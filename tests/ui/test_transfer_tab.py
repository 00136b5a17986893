"""Transferability tab through gradio_client against the running app (synthetic corpus): fused
ranking from .npz and .csv uploads, the estimator selector, and malformed uploads as messages."""
from __future__ import annotations

import numpy as np
import pytest
from gradio_client import Client, handle_file

DESC = "Photographs of 8 kinds of objects to classify."
GOOD, NOISE, UNSEEN = "vis/resnet-1b-v0", "vis/vit-2b-v1", "newlab/mystery-net"


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False, download_files=False)


def rows(table: dict) -> list[dict]:
    return [dict(zip(table["headers"], r)) for r in table["data"]]


def write_model(path, signal: float, seed: int, n=60, classes=4):
    """features whose class separation grows with ``signal``; probs that agree with the labels as much."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    features = rng.normal(size=(n, 8))
    features[:, :classes] += signal * np.eye(classes)[labels]
    logits = rng.normal(size=(n, 5))
    logits[:, :classes] += signal * np.eye(classes)[labels]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.savez(path, features=features, labels=labels, probs=probs)
    return str(path)


@pytest.fixture(scope="module")
def npz_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("transfer_uploads")
    return [write_model(d / f"{name.replace('/', '__')}.npz", s, i)
            for i, (name, s) in enumerate(((GOOD, 4.0), (NOISE, 0.0), (UNSEEN, 1.0)))]


def test_fused_ranking_follows_the_weight(client, npz_files):
    files = [handle_file(p) for p in npz_files]
    table, status, selection, rec_md, evidence = client.predict(
        description=DESC, files=files, weight=1.0, fuse_recommended=False, api_name="/transfer")
    r = rows(table)
    assert [x["fused rank"] for x in r] == [1, 2, 3]
    assert [x["model"] for x in r] == [GOOD, UNSEEN, NOISE]          # estimators only: class separation decides
    # the default view fits a page: ranks and percentiles, no raw values
    assert table["headers"][:6] == ["fused rank", "model", "in catalog", "fused", "ranker pct", "estimator pct"]
    assert "LogME rank" in table["headers"] and "LogME" not in table["headers"] and len(table["headers"]) <= 13
    table, *_ = client.predict(description=DESC, files=files, weight=1.0, fuse_recommended=False,
                               all_columns=True, api_name="/transfer")
    r = rows(table)
    for col in ("LogME", "LogME rank", "LogME pct", "LEEP", "NCE pct", "H-score", "ranker score", "ranker pct"):
        assert col in table["headers"]
    assert r[0]["LogME rank"] == 1 and r[0]["LogME pct"] == 1.0 and r[-1]["LogME pct"] == 0.0
    assert {x["model"]: x["in catalog"] for x in r}[UNSEEN] == "unseen"
    assert "3 model(s)" in status and "not in the catalog" in status
    assert len(selection["data"]) == 9 and "Trust" in rec_md and len(evidence["data"]) == 8
    # weight 0: the ranker's order
    table, *_ = client.predict(description=DESC, files=files, weight=0.0, fuse_recommended=False,
                               all_columns=True, api_name="/transfer")
    scores = [x["ranker score"] for x in rows(table)]
    assert scores == sorted(scores, reverse=True)


def test_fuse_only_the_recommended_estimator(client, npz_files):
    table, status, *_ = client.predict(description=DESC, files=[handle_file(p) for p in npz_files], weight=0.5,
                                       fuse_recommended=True, api_name="/transfer")
    assert len(rows(table)) == 3 and status.count("weight 0.5 on the estimators (") == 1
    fused_part = status.split("on the estimators (")[1].split(")")[0]
    assert "," not in fused_part                                       # exactly one estimator fused


def test_csv_of_precomputed_scores(client, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text(f"model,LogME,gbc\n{NOISE},-1.0,-3\n{GOOD},2.5,\n")
    table, status, *_ = client.predict(description=DESC, files=[handle_file(str(path))], weight=1.0,
                                       fuse_recommended=False, all_columns=True, api_name="/transfer")
    r = rows(table)
    assert [x["model"] for x in r] == [GOOD, NOISE]
    assert "GBC" in table["headers"] and r[1]["GBC rank"] == 1
    assert r[0]["GBC"] is None or np.isnan(r[0]["GBC"])                # empty cell: not computed


def test_metric_selection_endpoint(client):
    selection, rec_md, evidence = client.predict(description="Close-up photos of fabric textures.",
                                                 api_name="/metric_selection")
    r = rows(selection)
    assert [x["rank"] for x in r] == list(range(1, 10)) and len({x["estimator"] for x in r}) == 9
    shares = [x["selector share"] for x in r]
    assert shares == sorted(shares, reverse=True) and abs(sum(shares) - 1) < 0.01
    assert {x["computed here"] for x in r} == {"yes", "no"}
    assert "Nearest training datasets" in rec_md and "leave one dataset out" in rec_md
    assert evidence["headers"][:2] == ["dataset", "models"] and len(evidence["data"]) == 8
    selection, rec_md, _ = client.predict(description="  ", api_name="/metric_selection")
    assert not (selection or {}).get("data") and "describe your dataset" in rec_md


def test_malformed_uploads_give_messages(client, tmp_path, npz_files):
    good = open(npz_files[0], "rb").read()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good[: len(good) // 2])
    obj = tmp_path / "pickled.npz"
    np.savez(obj, features=np.zeros((4, 2)), labels=np.array(["a", 1, "b", 2], dtype=object))
    txt = tmp_path / "notes.txt"
    txt.write_text("not an upload")
    csv = tmp_path / "bad.csv"
    csv.write_text("model,logme,zzz\na,1,2\n")
    cases = [([cut], "cut.npz"), ([obj], "pickled.npz"), ([txt], "notes.txt: unsupported file type"),
             ([csv], "unknown estimator column"), ([], "Upload one .npz")]
    for paths, message in cases:
        table, status, selection, rec_md, evidence = client.predict(
            description=DESC, files=[handle_file(str(p)) for p in paths], weight=0.5, fuse_recommended=False,
            api_name="/transfer")
        assert message in status.replace("\\", ""), (message, status)
        assert "Traceback" not in status and not (table or {}).get("data")   # nothing new ranked
        assert len(selection["data"]) == 9                                    # the estimator tables still answer
    # every bad file is named, each on its own line; the valid ones are still ranked
    table, status, *_ = client.predict(
        description=DESC, files=[handle_file(str(p)) for p in (cut, npz_files[0], obj, txt)], weight=0.5,
        fuse_recommended=False, api_name="/transfer")
    assert [x["model"] for x in rows(table)] == [GOOD]
    plain = status.replace("\\", "")
    assert "3 file(s) left out" in plain and all(n in plain for n in ("cut.npz", "pickled.npz", "notes.txt"))
    table, status, *_ = client.predict(
        description=DESC, files=[handle_file(str(p)) for p in (cut, obj)], weight=0.5, fuse_recommended=False,
        api_name="/transfer")
    assert status.count("⚠️") == 2 and "cut.npz" in status and "pickled.npz" in status
    table, status, selection, *_ = client.predict(description="", files=[handle_file(npz_files[0])], weight=0.5,
                                                  fuse_recommended=False, api_name="/transfer")
    assert "describe your dataset" in status and not (table or {}).get("data")


def test_python_api_matches_the_ranker_at_weight_zero(app_url):
    from modellens_core.serving.feature_ranking import feature_augmented_ranking
    from modellens_core.ui.state import recommender
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 2
    up = {m: (rng.normal(size=(40, 3)) + s * labels[:, None], labels, None)
          for m, s in ((GOOD, 3.0), (NOISE, 0.0), (UNSEEN, 1.0))}
    rec = recommender()
    out = feature_augmented_ranking(rec, DESC, up, weight=0.0)
    ref = rec.recommend(DESC, candidates=list(up)).table
    assert out["ranker_score"].tolist() == pytest.approx(ref["score"].tolist())
    assert out["model"].tolist() == ref["model"].tolist()
    assert out.attrs["fused_estimators"] and "leep" not in out.attrs["computed_estimators"]
    assert any("probabilities" in n for n in out.attrs["notices"])
    only = feature_augmented_ranking(rec, DESC, up, weight=1.0, estimators=["logme"])
    assert only["model"].iloc[0] == GOOD and only.attrs["fused_estimators"] == ["logme"]
    first = feature_augmented_ranking(rec, DESC, up, weight=1.0, fuse_first_of=["leep", "otce", "gbc", "logme"])
    assert first.attrs["fused_estimators"] == ["gbc"]                 # leep has no probs; otce is not computed
    with pytest.raises(ValueError, match="None of the requested estimators"):
        feature_augmented_ranking(rec, DESC, up, estimators=["nce"])
    with pytest.raises(ValueError, match="weight"):
        feature_augmented_ranking(rec, DESC, up, weight=1.5)
