import numpy as np
import pytest

from modellens_core.serving.inputs import InputError, clean_text
from modellens_core.serving.recommender import Recommender

COLUMNS = {"rank", "model", "score", "prior", "residual", "predicted_z", "params_b", "family", "seen"}


@pytest.fixture(scope="module")
def rec(synthetic_assets, tiny_checkpoints):
    return Recommender.load(synthetic_assets, tiny_checkpoints)


def test_recommend_returns_sorted_table_with_parts(rec):
    t_r = rec.recommend("English speech recordings transcribed to text", top_k=10)
    t = t_r.table
    assert COLUMNS <= set(t.columns) and len(t) == 10
    assert list(t["rank"]) == list(range(1, 11))
    key = t["score"].to_numpy() + 1e6 * t["rank_level"].to_numpy()
    assert (t["rank_level"] // 2 == t["evidence_tier"]).all()
    assert (np.diff(key) <= 1e-6).all()
    assert (np.diff(t["evidence_tier"].to_numpy()) <= 0).all()
    np.testing.assert_allclose(t["score"], (t["prior"] + t["residual"]) / rec.engine.tau, rtol=1e-5)
    assert t_r.task == "automatic-speech-recognition" and t_r.query.task_inferred


def test_aliases_resolve_and_unknown_names_rank_unseen(rec):
    known = rec.catalog["model"].iloc[0]
    bare = known.split("/")[1]
    t_r = rec.recommend("photos of objects", candidates=[bare, known.upper(), "totally-new/model-7b"])
    t = t_r.table
    assert set(t["model"]) == {known, "totally-new/model-7b"}
    new = t[t["model"] == "totally-new/model-7b"].iloc[0]
    assert not new["seen"] and not new["in_catalog"] and np.isfinite(new["score"]) and new["params_b"] == 7
    assert any("duplicate" in n for n in t_r.notices)
    assert any("not in the catalog" in n for n in t_r.notices)


def test_filters_and_contradictions(rec):
    t_r = rec.recommend("photos of objects", max_params_b=4, include_unknown_size=False)
    t = t_r.table
    assert len(t) and (t["params_b"] <= 4).all()
    empty_r = rec.recommend("photos of objects", min_params_b=1000, include_unknown_size=False)
    empty = empty_r.table
    assert len(empty) == 0 and any("No model satisfies" in n for n in empty_r.notices)
    with pytest.raises(InputError, match="negative"):
        rec.recommend("photos", max_params_b=-1)
    with pytest.raises(InputError, match="NaN"):
        rec.recommend("photos", max_params_b=float("nan"))
    with pytest.raises(InputError, match="larger than"):
        rec.recommend("photos", min_params_b=10, max_params_b=1)


def test_bad_text_is_cleaned_or_refused(rec):
    with pytest.raises(InputError, match="describe your dataset"):
        rec.recommend("   \n\t ")
    text, notes = clean_text("a\x00b\ud800c" + "x" * 10_000)
    assert "\x00" not in text and len(text) == 4000 and notes
    t_r = rec.recommend("y" * 1_000_000, top_k=3)
    t = t_r.table
    assert len(t) == 3 and any("characters long" in n for n in t_r.notices)
    t_r = rec.recommend("Images", task="no-such-task", metric="no-such-metric", top_k=2)
    t = t_r.table
    assert len(t) == 2 and sum("Unknown" in n for n in t_r.notices) == 2


def test_the_fast_query_encoder_reproduces_the_eager_encoder(rec):
    """The traced one-text path (built for the server) gives the eager encoder's vectors."""
    rec.encoder.prepare_query_path(background=False)
    from modellens_core.common import encoder
    assert encoder._traced[rec.encoder.path]  # built here (it would be False if it could not be)
    for text in ("speech", "Japanese reading comprehension over Wikipedia paragraphs " * 3, "日本語のテキスト 🙂"):
        np.testing.assert_allclose(rec.encoder.encode_query(text), rec.encoder.encode([text])[0], atol=1e-5)


def test_an_unknown_subset_is_reported_and_ranks_as_no_subset(rec):
    plain_r = rec.recommend("A multiple choice exam about history for language models.", top_k=10)
    plain = plain_r.table
    odd_r = rec.recommend("A multiple choice exam about history for language models.", top_k=10, subset="zzz_Qqqq")
    odd = odd_r.table
    assert any("zzz_Qqqq" in n for n in odd_r.notices)
    assert odd["model"].tolist() == plain["model"].tolist()
    np.testing.assert_allclose(odd["score"], plain["score"])
    huge_r = rec.recommend("A multiple choice exam about history for language models.", top_k=3, subset="x" * 100_000)
    huge = huge_r.table
    assert len(huge) == 3


def test_the_app_checkpoint_ships_the_evidence_index_it_was_trained_with(rec, tiny_checkpoints):
    from modellens_core.ranker.train import training_evidence
    assert (tiny_checkpoints / "evidence.safetensors").exists()
    rebuilt = training_evidence(rec.corpus, rec.corpus.split("production"), rec.cfg)
    for table in ("pair_keys", "pair_z", "sub_keys", "task_keys", "task_sum", "fam_keys"):
        np.testing.assert_array_equal(getattr(rec.evidence, table), getattr(rebuilt, table))
    assert rec.evidence.subset_codes == rebuilt.subset_codes and rec.evidence.task_codes == rebuilt.task_codes


def test_the_app_checkpoint_ships_its_catalog_name_tokens(rec, tiny_checkpoints):
    from modellens_core.ranker.vocab import catalog_name_tokens, hash_tokens
    names = rec.catalog["model"].tolist()
    shipped = tiny_checkpoints / "name_tokens.safetensors"
    assert shipped.exists()
    np.testing.assert_array_equal(catalog_name_tokens(shipped, names, rec.cfg.name_buckets),
                                  hash_tokens(names, rec.cfg.name_buckets))


def test_open_weights_only_applies_to_names_outside_the_catalog_without_other_filters(rec, monkeypatch):
    """A name outside the catalog has no known availability: "open weights only" leaves it out,
    whether or not another filter is set (a bug: it was kept unless one was)."""
    import dataclasses
    open_weights = np.zeros(len(rec.catalog), bool)
    open_weights[0] = True   # the synthetic catalog says nothing of availability: one model is open here
    monkeypatch.setattr(rec, "facts", dataclasses.replace(rec.facts, open_weights=open_weights))
    known = rec.catalog["model"].iloc[0]
    r = rec.recommend("photos of objects", candidates=[known, "totally-new/model-7b"], open_weights_only=True)
    assert r.table["model"].tolist() == [known]


def test_candidate_tables_say_which_name_was_asked(rec):
    known = rec.catalog["model"].iloc[0]
    r = rec.recommend("photos of objects", candidates=[known.upper(), "totally-new/model-7b"])
    assert set(r.table["asked"]) == {known.upper(), "totally-new/model-7b"}
    assert r.table["model"].iat[r.rows[known.upper()]] == known
    assert r.table["model"].iat[r.rows["totally-new/model-7b"]] == "totally-new/model-7b"


def test_the_api_keeps_the_modalities_that_fit_the_task_as_the_app_does(rec):
    """The modality-fit rule lives in the core: the Python API gives what the Recommend tab shows."""
    from modellens_core.serving.filters import fitting_modalities
    from modellens_core.ui.recommend_tab import request_of
    r = rec.recommend("English speech recordings transcribed to text", top_k=15)
    fit = fitting_modalities(r.domain, rec.modalities)
    assert fit and set(r.table["modality"]) <= set(fit) and r.modalities == fit
    every = rec.recommend("English speech recordings transcribed to text", top_k=15, fit_modality=False)
    assert every.modalities is None
    ui = rec.recommend(request_of("English speech recordings transcribed to text", top_k=15))
    assert ui.table["model"].tolist() == r.table["model"].tolist()
