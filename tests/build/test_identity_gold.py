"""The identity gold set (tests/build/identity_gold/) is well formed, and the scoring functions of
benchmarks/identity.py give the precision/recall their docstring defines on tiny fixtures.

Fast and standalone: nothing here imports modellens_core or reads the shipped corpus."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "build" / "identity_gold"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("identity_benchmark", ROOT / "benchmarks" / "identity.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ib = _load_benchmark()

SPECS = {
    "models.csv": (["case_id", "source", "raw_name", "expected_id", "kind", "should_merge_with", "part", "note"], 420),
    "datasets.csv": (["case_id", "source", "raw_dataset", "raw_task", "expected_dataset", "expected_protocol",
                      "part", "note"], 110),
    "metadata.csv": (["case_id", "model", "field", "expected", "tolerance", "part", "source_of_truth", "note"], 110),
}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLD / name, dtype=str, keep_default_na=False)


# ----------------------------------------------------------------------------- gold files
@pytest.mark.parametrize("name", sorted(SPECS))
def test_gold_file_parses_with_columns_counts_ids_and_parts(name):
    cols, minimum = SPECS[name]
    df = _read(name)
    assert list(df.columns) == cols
    assert len(df) >= minimum
    assert df["case_id"].is_unique and (df["case_id"].str.len() > 0).all()
    assert set(df["part"]) == {"dev", "holdout"}
    share = (df["part"] == "holdout").mean()
    assert 0.28 <= share <= 0.40, f"{name}: holdout share {share:.2f} is not about a third"
    for col in cols:
        if col not in ("should_merge_with", "tolerance", "note"):
            assert (df[col].str.strip() != "").all(), f"{name}: empty {col}"


def test_readme_states_the_holdout_rule_and_seed():
    text = (GOLD / "README.md").read_text()
    assert "holdout" in text and re.search(r"seed\D{0,20}15", text, re.I)


def test_model_rows_are_consistent():
    df = _read("models.csv")
    assert set(df["kind"]) <= {"hub-model", "api-model", "paper-method", "library-weights"}
    assert not df.duplicated(["source", "raw_name"]).any()
    paper = df["expected_id"].str.startswith("paper:")
    assert (df.loc[paper, "kind"] == "paper-method").all() and (df.loc[df["kind"] == "paper-method"].index.isin(df[paper].index)).all()
    expected = dict(zip(df["case_id"], df["expected_id"].str.lower()))
    n_links = 0
    for case, cell in zip(df["case_id"], df["should_merge_with"]):
        for op, other in ib.parse_links(cell):
            n_links += 1
            assert other in expected, f"{case}: link to unknown case {other}"
            assert other != case
            same = expected[case] == expected[other]
            assert same if op == "=" else not same, f"{case} {op}{other} contradicts the expected ids"
    assert n_links >= 100
    assert (df["source"] == "user").sum() >= 20


def test_links_are_symmetric_and_stay_in_one_part():
    df = _read("models.csv")
    links = {c: set(ib.parse_links(cell)) for c, cell in zip(df["case_id"], df["should_merge_with"])}
    part = dict(zip(df["case_id"], df["part"]))
    for case, ls in links.items():
        for op, other in ls:
            assert (op, case) in links[other], f"{case} {op}{other} has no reverse link"
            assert part[case] == part[other], f"{case} and {other} are split across parts"


def test_dataset_and_metadata_rows_are_consistent():
    ds = _read("datasets.csv")
    assert set(ds["expected_protocol"]) <= {"standard", "zero-shot", "linear-probe", "fine-tune",
                                            "retrieval-reformulation"}
    assert not ds.duplicated(["source", "raw_dataset", "raw_task"]).any()
    # all protocols of one dataset are held out together
    assert (ds.groupby("expected_dataset")["part"].nunique() == 1).all()
    md = _read("metadata.csv")
    assert set(md["field"]) <= {"params_b", "active_params_b", "release_date", "open_weights", "modality", "family"}
    assert not md.duplicated(["model", "field"]).any()
    sizes = md["field"].isin(["params_b", "active_params_b"])
    assert (md.loc[sizes, "tolerance"] == "0.10").all() and (md.loc[~sizes, "tolerance"] == "").all()
    assert md.loc[sizes, "expected"].astype(float).gt(0).all()
    assert md.loc[md["field"] == "release_date", "expected"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert set(md.loc[md["field"] == "open_weights", "expected"]) <= {"true", "false"}
    for field in ("params_b", "release_date", "open_weights"):
        assert (md["field"] == field).sum() >= 15


# ----------------------------------------------------------------------------- scoring fixtures
def _gold(rows):
    cols = ["case_id", "source", "raw_name", "expected_id", "kind", "should_merge_with", "part"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


GOLD_FIXTURE = _gold([
    ("a", "lmarena", "Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-8B-Instruct", "hub-model", "=b", "dev"),
    ("b", "open_llm_leaderboard", "meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-8B-Instruct",
     "hub-model", "=a", "dev"),
    ("c", "pwc_sota_extractor", "GCN", "paper:gcn", "paper-method", "", "dev"),
    ("d", "epoch_benchmark_stitching", "opt-1.3b", "facebook/opt-1.3b", "hub-model", "!e", "holdout"),
    ("e", "epoch_benchmark_stitching", "opt-13b", "facebook/opt-13b", "hub-model", "!d", "holdout"),
    ("f", "lmarena", "GPT-4o-2024-05-13", "openai/gpt-4o-2024-05-13", "api-model", "", "holdout"),
])
PERFECT = {"a": "meta-llama/Meta-Llama-3-8B-Instruct", "b": "meta-llama/Meta-Llama-3-8B-Instruct", "c": "gcn",
           "d": "facebook/opt-1.3b", "e": "facebook/opt-13b", "f": "gpt-4o-2024-05-13"}


def test_perfect_mapping_scores_one():
    s = ib.name_scores(GOLD_FIXTURE, PERFECT)
    # merges: a (respelled to the repo), b (shared with a), d, e (bare -> org repo); c and f are respellings
    assert s["merges_made"] == 4 and s["right_merges"] == 4 and s["precision"] == 1.0
    assert s["should_merge"] == 4 and s["recall"] == 1.0
    assert s["unmapped"] == 0 and s["paper_to_hub"] == 0
    assert s["not_merged_pairs_merged"] == 0 and s["merge_pairs_split"] == 0


def test_wrong_merge_lowers_precision():
    wrong = dict(PERFECT, c="khairi/gcn")  # a paper method credited to an obscure Hub repo
    s = ib.name_scores(GOLD_FIXTURE, wrong)
    assert s["merges_made"] == 5 and s["right_merges"] == 4
    assert s["precision"] == pytest.approx(4 / 5)
    assert s["recall"] == 1.0 and s["paper_to_hub"] == 1


def test_must_not_merge_pair_merged_lowers_precision():
    s = ib.name_scores(GOLD_FIXTURE, dict(PERFECT, d="facebook/opt-13b"))
    assert s["not_merged_pairs_merged"] == 1
    assert s["precision"] == pytest.approx(3 / 4)  # d is a wrong merge; e stays right
    assert s["recall"] == pytest.approx(3 / 4)  # d should have gone to opt-1.3b


def test_missed_merge_lowers_recall():
    missed = dict(PERFECT, a="llama-3-8b-instruct")  # its own slug entry: nothing merged
    s = ib.name_scores(GOLD_FIXTURE, missed)
    assert s["precision"] == 1.0  # only d and e merge now, both right
    assert s["should_merge"] == 4 and s["merged_right"] == 2 and s["recall"] == pytest.approx(2 / 4)
    assert s["merge_pairs_split"] == 1


def test_unmapped_names_count_and_miss():
    s = ib.name_scores(GOLD_FIXTURE, dict(PERFECT, a=None, b=None))
    assert s["unmapped"] == 2 and s["recall"] == pytest.approx(2 / 4) and s["merge_pairs_split"] == 1


def test_id_rules():
    assert ib.id_matches("OpenAI/gpt-4-0613", "openai/gpt-4-0613", "hub-model")
    assert ib.id_matches("gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13", "api-model")
    assert not ib.id_matches("gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13", "hub-model")
    assert ib.id_matches("bert++", "paper:bert++") and not ib.id_matches("bert", "paper:bert++")
    assert not ib.id_matches("Miniproject/BERT", "paper:bert")
    assert ib.same_name("timm/resnet50.a1_in1k", "resnet50.a1_in1k")
    assert ib.same_name("claude-3.5-sonnet-20240620", "Claude 3.5 Sonnet 20240620")
    assert not ib.same_name("opt-13b", "opt-1.3b")
    assert ib.is_hub_style("khairi/gcn") and not ib.is_hub_style("GAT w/NS + C&S")


def test_lookup_uses_aliases_namespaces_then_case():
    cat = pd.DataFrame({"model": ["timm/resnet50.a1_in1k", "facebook/SONAR", "perplexity/sonar", "x/Big"],
                        "aliases": [[], ["SONAR"], ["sonar"], ["big"]], "n_records": [1, 1, 1, 1]})
    idx = ib.NameIndex(cat)
    assert idx.lookup("resnet50.a1_in1k", "timm_results") == "timm/resnet50.a1_in1k"
    assert idx.lookup("sonar") == "perplexity/sonar" and idx.lookup("SONAR") == "facebook/SONAR"
    assert idx.lookup("BIG") == "x/Big" and idx.lookup("nothing") is None


def test_metadata_fact_rules():
    assert ib.fact_status("params_b", "6.74", 6.0, "0.10") == "wrong"  # floored size
    assert ib.fact_status("params_b", "6.74", 6.738, "0.10") == "ok"
    assert ib.fact_status("params_b", "671", None, "0.10") == "missing"
    assert ib.fact_status("release_date", "2019-11", "2019-11-05") == "ok"
    assert ib.fact_status("release_date", "2019-11", "2024-06-12") == "wrong"
    assert ib.fact_status("open_weights", "false", True) == "wrong"
    assert ib.fact_status("family", "faster-rcnn", "Faster_RCNN") == "ok"
    cat = pd.DataFrame({"model": ["m1", "m2"], "aliases": [[], []], "params_b": [6.0, None],
                        "release_date": ["2023-07-18", None]})
    gold = pd.DataFrame({"model": ["m1", "m2", "m1"], "field": ["params_b", "params_b", "release_date"],
                         "expected": ["6.74", "1.0", "2023-07"], "tolerance": ["0.10", "0.10", ""]})
    out = ib.metadata_scores(gold, cat).set_index("field")
    assert out.loc["params_b", "missing"] == 1 and out.loc["params_b", "wrong"] == 1
    assert out.loc["params_b", "error_rate"] == 1.0 and out.loc["release_date", "error_rate"] == 0.0


def test_dataset_wrong_and_missed_merges():
    gold = pd.DataFrame({
        "case_id": ["1", "2", "3", "4", "5"],
        "source": ["mteb", "open_clip", "pwc_sota_extractor", "mteb", "mteb"],
        "raw_dataset": ["caltech101zeroshot", "caltech101", "dbpedia", "dbpedia", "hellaswag"],
        "raw_task": ["zs", "zs", "text-classification", "retrieval", "retrieval"],
        "expected_dataset": ["caltech101", "caltech101", "dbpedia-14", "dbpedia-entity-v2", "hellaswag"],
        "expected_protocol": ["zero-shot", "zero-shot", "standard", "standard", "retrieval-reformulation"],
    })
    cat = pd.DataFrame({"dataset": ["caltech101zeroshot", "caltech101", "dbpedia", "hellaswag"]})
    mapping = ib.map_datasets(gold, cat)
    s = ib.dataset_scores(gold, mapping)
    assert s["missed_merges"] == 1 and s["extra_ids"] == 1  # caltech101 under two ids
    assert s["wrong_merges"] == 1 and s["wrong_merge_cases"] == 2  # dbpedia holds two datasets
    assert s["correct"] == 1 and s["unmapped"] == 0  # only hellaswag is clean
    fixed = pd.DataFrame({"dataset": ["caltech101", "dbpedia-14", "dbpedia-entity", "hellaswag"],
                          "aliases": [["caltech101zeroshot"], [], [], []]})
    m2 = ib.map_datasets(gold, fixed)
    m2.update({"3": "dbpedia-14", "4": "dbpedia-entity"})
    s2 = ib.dataset_scores(gold, m2)
    assert s2["missed_merges"] == 0 and s2["wrong_merges"] == 0 and s2["correct"] == 5


def test_report_runs_on_a_tiny_catalog(tmp_path):
    corpus = tmp_path / "assets" / "corpus"
    corpus.mkdir(parents=True)
    pd.DataFrame({"model": ["meta-llama/Meta-Llama-3-8B-Instruct"], "aliases": [["Llama-3-8B-Instruct"]],
                  "n_records": [3], "params_b": [8.03], "release_date": ["2024-04-18"], "open_weights": [True],
                  "modality": ["text"], "family": ["llama"]}).to_parquet(corpus / "models.parquet")
    pd.DataFrame({"dataset": ["hellaswag"]}).to_parquet(corpus / "datasets.parquet")
    pd.DataFrame({"dataset": ["hellaswag"], "source": ["mteb"], "task": ["retrieval"]}).to_parquet(
        corpus / "records.parquet")
    text = ib.report(tmp_path / "assets", GOLD)
    assert "## Name identity" in text and "## Metadata" in text and "## Dataset identity" in text
    out = tmp_path / "identity.md"
    assert ib.main(["--assets", str(tmp_path / "assets"), "--write", str(out)]) == 0 and out.exists()
