"""PapersWithCode evaluation-tables adapter on small fixtures in the native JSON layout."""
from pathlib import Path

import pytest

from modellens_core.build.ingest.base import SourceFileError
from modellens_core.build.ingest.pwc import load
from modellens_core.common.metric_names import canonical_metric, higher_is_better

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "pwc"


@pytest.fixture(scope="module")
def res():
    return load(FIX)


def _get(res, model, dataset):
    r = res.records
    return r[(r.model == model) & (r.dataset == dataset)]


def test_subtasks_are_walked_and_splits_go_to_subset(res):
    lm = _get(res, "AWD-LSTM (Merity et al., 2017)", "Penn Treebank")
    assert sorted(zip(lm.subset, lm.metric, lm.score)) == [("test", "perplexity", 57.3), ("validation", "perplexity", 60.0)]
    assert set(lm.task) == {"language-modeling"}  # deepest known task name on the path
    assert higher_is_better(canonical_metric("perplexity")) is False


def test_subdataset_key_and_family(res):
    gec = _get(res, "Copy-Augmented Transformer", "CoNLL-2014 Shared Task - Restricted")
    assert gec.score.tolist() == [61.15]       # footnote '*' removed
    assert set(gec.task) == {"text-generation"}  # NLP default
    d = res.datasets.set_index("dataset")
    assert d.loc["CoNLL-2014 Shared Task - Restricted", "family"] == "CoNLL-2014 Shared Task"
    assert d.loc["CoNLL-2014 Shared Task - Restricted", "description"] == "GEC is the task of correcting errors in text."
    assert d.loc["Penn Treebank", "description"] == "A classic corpus of Wall Street Journal text."


def test_value_strings(res):
    ogb = _get(res, "GCN", "ogbn-arxiv")
    assert sorted(zip(ogb.subset, ogb.score)) == [("test", 0.7174), ("validation", 0.73)]
    assert set(ogb.task) == {"graph-property-prediction"}
    assert _get(res, "XLNet", "SST-2").score.tolist() == [96.2]
    assert _get(res, "Mystery LM", "Penn Treebank").empty


def test_drop_counts(res):
    d = res.report.dropped
    assert d["non_numeric"] == 2          # '-' and 'Please tell us'
    assert d["excluded"] == 3 + 1         # 3 'Number of params' cells + 1 Atari score
    assert d["aggregate_column"] == 1     # SST-2 'Average'
    assert d["duplicate"] == 2 + 1        # second BERT-Large row (2 cells) + nlpprogress.json cell
    assert res.report.rows_read == 6 + 1 + 4 + 2 + 1 + 3 + 2
    assert len(res.records) == 2 + 1 + 2 + 1 + 2 + 1


def test_split_columns_become_subsets_and_first_row_wins(res):
    mnli = _get(res, "BERT-Large", "MultiNLI")
    assert sorted(zip(mnli.subset, mnli.metric, mnli.score)) == [("matched", "accuracy", 86.7), ("mismatched", "accuracy", 85.9)]
    assert set(mnli.task) == {"natural-language-inference"}


def test_other_files(res):
    asr = _get(res, "Deep Speech 2", "librispeech WER testclean")
    assert asr.task.tolist() == ["automatic-speech-recognition"]
    assert higher_is_better(canonical_metric(asr.metric.iloc[0])) is False
    assert "Atari 2600 Pong" not in set(res.records.dataset)


def test_models_frame(res):
    m = res.models.set_index("model")
    assert set(m.index) == set(res.records.model)
    assert m.loc["AWD-LSTM (Merity et al., 2017)", "params_b"] == pytest.approx(0.024)
    assert m.loc["GCN", "params_b"] == pytest.approx(0.00011012)
    assert m.loc["GCN", "release_date"] == "2020-05-02"
    assert "Regularizing and Optimizing LSTM" in m.loc["AWD-LSTM (Merity et al., 2017)", "description"]


def test_missing_folder_and_corrupt_file(tmp_path):
    with pytest.raises(SourceFileError, match="nope"):
        load(tmp_path / "nope")
    (tmp_path / "bad.json").write_text("{not json")
    res = load(tmp_path)
    assert res.report.dropped["unparseable_file"] == 1 and "bad.json" in res.report.notes[0]
