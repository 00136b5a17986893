"""Pool builder and the modality rule, on the synthetic corpus."""
import numpy as np
import pytest

from modellens_core.serving.filters import fitting_modalities
from modellens_core.serving.inputs import InputError
from modellens_core.serving.pool import POOL_COLUMNS, propose_replacements
from modellens_core.serving.recommender import Recommender
from modellens_core.serving.request import Filters

SPEECH = "English speech recordings of meetings, transcribed to text."


@pytest.fixture(scope="module")
def rec(synthetic_assets, tiny_checkpoints):
    return Recommender.load(synthetic_assets, tiny_checkpoints)


def test_fitting_modalities_rule():
    assert fitting_modalities("speech", ["text", "speech", "vision"]) == ("speech",)
    assert fitting_modalities("vision", ["text", "vision", "multimodal"]) == ("vision", "multimodal")
    assert fitting_modalities("other", ["text"]) is None          # no rule: no filter
    assert fitting_modalities("speech", ["text", "vision"]) is None  # would empty the ranking: no filter


def test_replacements_are_comparable_in_size_better_and_distinct(rec):
    pool = ["speech/whisp-4b-v2", "speech/whisp-16b-v4", "speech/whisp-1b-v0"]
    out = propose_replacements(rec, SPEECH, pool)
    assert list(out.columns) == POOL_COLUMNS and list(out["current"]) == pool
    assert out.attrs["task"] == "automatic-speech-recognition" and out.attrs["modalities"] == ("speech",)
    ranked = rec.recommend(SPEECH, modalities=["speech"]).table.set_index("model")
    for r in out.itertuples():
        assert r.current_score == pytest.approx(ranked.loc[r.current, "score"], rel=1e-5)
        assert r.gain == pytest.approx(r.replacement_score - r.current_score)
        assert r.gain >= 0
        if r.replacement != r.current:
            assert r.replacement not in pool
            assert abs(r.replacement_params_b - r.current_params_b) <= 0.5 * r.current_params_b
    # the first member chooses from the whole window (later ones skip replacements already taken)
    first = out.iloc[0]
    p = first["current_params_b"]
    window = ranked[~ranked.index.isin(pool) & ((ranked["params_b"] - p).abs() <= 0.5 * p)]
    assert len(window)
    if first["replacement"] != first["current"]:
        assert first["replacement"] == window.index[0]
    else:
        assert window["score"].iloc[0] <= first["current_score"]
    changed = out[out["replacement"] != out["current"]]
    assert changed["replacement"].is_unique


def test_tolerance_widens_the_window(rec):
    pool = ["speech/whisp-1b-v0"]
    narrow = propose_replacements(rec, SPEECH, pool, tolerance=0.1).iloc[0]
    wide = propose_replacements(rec, SPEECH, pool, tolerance=40).iloc[0]
    # ±10% of 1B holds only other 1B models; ±4000% holds every speech model
    if narrow["replacement"] != narrow["current"]:
        assert narrow["replacement_params_b"] == 1.0
    best = rec.recommend(SPEECH, modalities=["speech"]).table
    best = best[best["model"] != "speech/whisp-1b-v0"].iloc[0]
    assert wide["replacement"] == best["model"] and wide["replacement_score"] >= narrow["replacement_score"]


def test_misfit_modality_is_replaced_and_unknown_size_noted(rec):
    out = propose_replacements(rec, SPEECH, ["org/alpha-4b-v2", "someone/brand-new-model"]).set_index("current")
    text_row = out.loc["org/alpha-4b-v2"]
    assert text_row["replacement"].startswith("speech/") and "does not fit" in text_row["note"]
    new = out.loc["someone/brand-new-model"]
    assert np.isnan(new["current_params_b"]) and "size unknown" in new["note"]


def test_bad_pool_input_is_refused_with_a_message(rec):
    with pytest.raises(InputError, match="pool is empty"):
        propose_replacements(rec, SPEECH, "  \n \n")
    with pytest.raises(InputError, match="tolerance"):
        propose_replacements(rec, SPEECH, ["speech/whisp-1b-v0"], tolerance=-1)
    with pytest.raises(InputError, match="describe"):
        propose_replacements(rec, "", ["speech/whisp-1b-v0"])


def test_the_pool_builder_honours_the_filters(rec, monkeypatch):
    """With "open weights only", no closed or unknown-availability model is proposed (a bug: the
    filters were ignored); families bound the replacements too."""
    import dataclasses
    pool = ["speech/whisp-4b-v2", "speech/whisp-1b-v0"]
    free = propose_replacements(rec, SPEECH, pool, tolerance=40)
    taken = set(free.loc[free["replacement"] != free["current"], "replacement"])
    assert taken   # without the filter, some model is proposed ...
    open_weights = ~rec.catalog["model"].isin(taken).to_numpy()   # ... and exactly those are closed here
    monkeypatch.setattr(rec, "facts", dataclasses.replace(rec.facts, open_weights=open_weights))
    out = propose_replacements(rec, SPEECH, pool, tolerance=40, filters=Filters(open_weights_only=True))
    proposed = set(out.loc[out["replacement"] != out["current"], "replacement"])
    assert not proposed & taken
    fam = rec.catalog.set_index("model").loc["speech/whisp-4b-v2", "family"]
    only = propose_replacements(rec, SPEECH, pool, tolerance=40, filters=Filters(families=(fam,)))
    for m in only.loc[only["replacement"] != only["current"], "replacement"]:
        assert rec.catalog.set_index("model").loc[m, "family"] == fam


def test_the_pool_builder_understands_the_description_once(rec, monkeypatch):
    calls = []
    real = rec.reader.understand
    monkeypatch.setattr(rec.reader, "understand", lambda *a, **k: calls.append(a) or real(*a, **k))
    propose_replacements(rec, SPEECH + " (once)", ["speech/whisp-4b-v2"])
    assert len(calls) == 1
