"""The practitioner harness end to end: a tiny set on the synthetic corpus and its tiny checkpoints,
through ``python -m modellens_core evaluate --settings practitioner``."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from modellens_core.__main__ import main
from modellens_core.build.corpus import Corpus
from modellens_core.practitioner.evaluate import TrainingWorld, items_csv_path, load_set, true_context


def _heldout_dataset(assets) -> str:
    c = Corpus(assets)
    test = c.records[(c.split("new_datasets") == "test").to_numpy()]
    return sorted(test["dataset"].unique())[0]


def _write_set(folder, heldout: str) -> None:
    def item(i, description, tasks, modality, languages, metrics, written_in="en", **kw):
        return {"id": i, "description": description, "written_in": written_in, "tasks": tasks, "modality": modality,
                "languages": languages, "metrics": metrics, "not_covered": kw.get("not_covered", False),
                "gibberish": kw.get("gibberish", False), "dataset": kw.get("dataset")}
    tune = [item("t1", "English speech recordings of read sentences; we want to transcribe them, scored by word "
                       "error rate.", ["automatic-speech-recognition"], "speech", ["en"], ["wer"]),
            item("t2", "Photographs of everyday objects of seven kinds that we want to classify.",
                 ["image-classification"], "vision", [], ["accuracy"]),
            item("t3", "Multiple-Choice-Prüfungsfragen auf Deutsch, um Sprachmodelle zu testen.",
                 ["multiple-choice-qa"], "text", ["de"], ["accuracy"], written_in="de"),
            item("t4", "Monthly sales of our shops in a spreadsheet; forecast the next quarter.", [], "time-series",
                 [], [], not_covered=True),
            item("t5", "asdf qwerty zxcv", [], "text", [], [], gibberish=True)]
    test = [item("s1", "Pictures of several kinds of objects, each to be put into its class.",
                 ["image-classification"], "vision", [], ["accuracy"], dataset=heldout),
            item("s2", "A multiple choice exam about a school topic, for language models.", ["multiple-choice-qa"],
                 "text", ["en"], ["accuracy"]),
            item("s3", "Enregistrements audio en français à transcrire automatiquement.",
                 ["automatic-speech-recognition"], "speech", ["fr"], ["wer", "cer"], written_in="fr")]
    folder.mkdir(parents=True, exist_ok=True)
    for name, items in (("tune", tune), ("test", test)):
        (folder / f"{name}.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in items) + "\n")


@pytest.fixture(scope="module")
def practitioner_run(synthetic_assets, tiny_checkpoints, tmp_path_factory):
    root = tmp_path_factory.mktemp("practitioner")
    heldout = _heldout_dataset(synthetic_assets)
    _write_set(root / "set", heldout)
    out = root / "results" / "practitioner.md"
    rc = main(["evaluate", "--settings", "practitioner", "--assets", str(synthetic_assets), "--checkpoints",
               str(tiny_checkpoints), "--practitioner-set", str(root / "set"), "--write", str(out)])
    return rc, out, heldout


def test_the_harness_writes_the_report_and_the_items(practitioner_run, capsys):
    rc, out, heldout = practitioner_run
    assert rc == 0
    text = out.read_text()
    for section in ("# Practitioner evaluation", "## Targets (issue 17)", "## 1. Query understanding",
                    "## 2. Held-out datasets", "## 3. Top-10 fit", "## Run time", "### tune",
                    "### test (held out: never tuned on)", "Calibration"):
        assert section in text, section
    assert "tune: 5 descriptions (4 English, 1 not)" in text
    assert "test (held out: never tuned on): 3 descriptions (2 English, 1 not)" in text
    assert "Items naming a dataset: ranked: 1." in text
    # the understanding table's n: every item for the task, covered items only for the metric
    line = next(x for x in text.splitlines() if x.startswith("| task (every item) |"))
    assert "(n=5)" in line and "(n=4)" in line and "(n=1)" in line
    metric_line = next(x for x in text.splitlines() if x.startswith("| metric |"))
    assert "(n=3)" in metric_line

    items = pd.read_csv(items_csv_path(out))
    assert items_csv_path(out).name == "practitioner_items.csv"
    assert list(items["id"]) == ["t1", "t2", "t3", "t4", "t5", "s1", "s2", "s3"]
    assert list(items["part"]) == ["tune"] * 5 + ["test"] * 3
    covered = ~items["not_covered"] & ~items["gibberish"]
    # the judgement is the labelled set's membership, item by item
    for r in items[covered].itertuples():
        assert r.task_ok == (r.task_pred in r.task_label.split("|"))
    assert items.loc[~covered, "task_fit"].isna().all() and items.loc[covered, "task_fit"].between(0, 1).all()
    assert (items["rows"] <= 10).all() and (items.loc[covered, "rows"] > 0).all()
    # held-out: both rankings scored over the dataset's truly scored models
    s1 = items.set_index("id").loc["s1"]
    assert s1["heldout_status"] == "ranked" and s1["dataset"] == heldout
    assert np.isfinite(s1["tau_w_a"]) and np.isfinite(s1["tau_w_b"]) and s1["groups_a"] >= 1
    assert s1["heldout_task"] == "image-classification" and 0 < s1["listed_b"] <= 1
    assert items.set_index("id").loc["s2", "heldout_status"] != "ranked"   # NaN: no dataset named
    heldout = text.split("## 2. Held-out datasets")[1].split("## 3.")[0]
    assert "| tau_w (a-b) |" not in heldout.split("### test")[0]      # no tune item names a dataset
    heldout_line = next(x for x in heldout.splitlines() if x.startswith("| tau_w (a-b) |"))
    assert heldout_line.count("(n=1)") == 2 and "(n=0)" in heldout_line   # all, English; no non-English item


def test_the_json_output_and_a_missing_file(synthetic_assets, tiny_checkpoints, tmp_path, capsys):
    _write_set(tmp_path / "set", _heldout_dataset(synthetic_assets))
    assert main(["evaluate", "--setting", "practitioner", "--json", "--assets", str(synthetic_assets),
                 "--checkpoints", str(tiny_checkpoints), "--practitioner-set", str(tmp_path / "set")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["test"]["n"] == {"all": 3, "English": 2, "non-English": 1}
    assert summary["tune"]["understanding"]["task (every item)"]["all"]["n"] == 5
    (tmp_path / "set" / "test.jsonl").unlink()
    assert main(["evaluate", "--settings", "practitioner", "--assets", str(synthetic_assets), "--checkpoints",
                 str(tiny_checkpoints), "--practitioner-set", str(tmp_path / "set")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "test.jsonl" in err[0]


def test_load_set_rejects_a_malformed_item(tmp_path):
    _write_set(tmp_path, "x")
    (tmp_path / "tune.jsonl").write_text('{"id": "a"}\n')
    with pytest.raises(ValueError, match="tune.jsonl:1"):
        load_set(tmp_path)


def test_the_heldout_world_hides_the_test_part(synthetic_assets):
    base = Corpus(synthetic_assets)
    world = TrainingWorld(base, "new_datasets")
    held = set(world.test["dataset"])
    assert held and not held & set(world.records["dataset"]) and not held & set(world.datasets["dataset"])
    assert len(world.records) + len(world.test) == len(base.records)
    assert len(world.dataset_emb) == len(world.datasets) and (world.split("new_datasets") == "train").any()
    test = world.test[world.test["dataset"] == sorted(held)[0]]
    assert true_context(test) == (test["task"].mode()[0], test["metric"].mode()[0])
