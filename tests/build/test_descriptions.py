"""Curated benchmark-family descriptions (issue 15, item 3): a dataset with only a template
description gets its family's curated text; a source's own description is kept; the reviewed
data file parses with one non-empty text per family."""
import csv

import pandas as pd

from modellens_core.build import merge, registry
from modellens_core.build.catalog import (
    dataset_description_template,
    fill_dataset_descriptions,
)
from modellens_core.build.ingest.base import DATASET_COLUMNS

CURATED = {"toyfam": "Toy photographs of widgets; a model predicts the widget's colour."}


def _frame():
    return pd.DataFrame({
        "dataset": ["toyfam-red", "toyfam-blue", "other"],
        "name": ["toyfam-red", "toyfam-blue", "other"],
        "family": ["toyfam", "toyfam", "other"],
        "description": [None, "A real source description of the blue subset.", ""],
        "task": ["image-classification"] * 3,
        "domain": ["vision"] * 3,
        "languages": ["en", "", ""],
    })


def test_template_only_dataset_gets_curated_text_and_real_description_is_kept():
    f = _frame()
    out = fill_dataset_descriptions(f, CURATED)
    assert out[0] == f"toyfam-red: {CURATED['toyfam']} Languages: en."   # subset name and languages kept
    assert out[1] == "A real source description of the blue subset."       # source text wins
    assert out[2] == dataset_description_template(f.iloc[2])              # no curated text: template


def test_dataset_catalog_uses_the_registry_file(monkeypatch):
    monkeypatch.setattr(registry, "dataset_descriptions", lambda: CURATED)
    ds = pd.DataFrame([{c: None for c in DATASET_COLUMNS} | {"dataset": d, "family": "toyfam", "source": "s"}
                       for d in ("toyfam-red", "toyfam-blue")])
    ds.loc[1, "description"] = "Own text."
    rec = pd.DataFrame({"dataset": ["toyfam-red", "toyfam-blue"], "model": ["m", "m"], "z": [0.0, 0.0],
                        "task": ["image-classification"] * 2, "source": ["s", "s"]})
    cat = merge.build_dataset_catalog(rec, ds).set_index("dataset")
    assert cat.loc["toyfam-red", "description"].startswith(f"toyfam-red: {CURATED['toyfam']}")
    assert cat.loc["toyfam-blue", "description"] == "Own text."


def test_curated_file_parses_with_unique_families_and_nonempty_texts():
    with open(registry.DATA_DIR / "dataset_descriptions.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert rows and set(rows[0]) == {"family", "description"}
    fams = [r["family"] for r in rows]
    assert len(fams) == len(set(fams)) and all(f.strip() == f and f for f in fams)
    assert all(len(r["description"].strip()) >= 40 for r in rows)
    assert len(registry.dataset_descriptions()) == len(rows)
