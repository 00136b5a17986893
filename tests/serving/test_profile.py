"""Model profiles on the synthetic corpus: strength per domain, observed scores, facts."""
import numpy as np
import pytest
import torch

from modellens_core.ranker.features import context_features
from modellens_core.serving.profile import MAX_MODELS, domain_strength, find_models, observed_scores, profile, suggest
from modellens_core.serving.recommender import InputError, Recommender


@pytest.fixture(scope="module")
def rec(synthetic_assets, tiny_checkpoints):
    return Recommender.load(synthetic_assets, tiny_checkpoints)


def test_strength_is_mean_predicted_z_over_the_domain_datasets(rec):
    models = ["speech/whisp-4b-v2", "org/alpha-4b-v2"]
    s = domain_strength(rec, models)
    assert set(s["domain"]) == {"text", "speech", "vision"} and len(s) == 6
    assert dict(s.groupby("domain")["n_datasets"].first()) == {"text": 8, "speech": 4, "vision": 6}
    # recompute one cell another way: one context at a time through the engine's one-query path
    ds = rec.datasets[rec.datasets["domain"] == "speech"]
    zs = []
    with torch.no_grad():
        for i, row in ds.iterrows():
            ctx = context_features(rec.vocab, [row["dataset"]], rec.dataset_emb[i:i + 1], [row["task"]],
                                   [rec.reader.dataset_metric[row["dataset"]]])
            cs = rec.engine.context_side(ctx)
            j = rec.resolver.index["speech/whisp-4b-v2"]
            # the evidence the one-query path would give for this dataset (its own family left out)
            nbr, w, top = rec.evidence.neighbours(rec.dataset_emb[i:i + 1], rec.evidence.dataset_family[i:i + 1])
            ev = rec.evidence.catalog(len(rec.catalog), nbr[0], w[0], float(top[0]), -1,
                                      rec.evidence.task_codes.get(row["task"], -1), rec.evidence.dataset_family[i])
            zs.append(float(rec.engine.catalog(rec.side.rows([j]), cs, ev[j:j + 1]).z[0]))
    cell = s[(s["model"] == "speech/whisp-4b-v2") & (s["domain"] == "speech")].iloc[0]
    assert cell["strength"] == pytest.approx(np.mean(zs), abs=1e-5)
    assert cell["spread"] == pytest.approx(np.std(zs), abs=1e-5)


def test_observed_scores_are_the_models_records(rec):
    obs = observed_scores(rec, ["speech/whisp-4b-v2"])
    records = rec.corpus.records
    mine = records[records["model"] == "speech/whisp-4b-v2"]
    assert len(obs) == len(mine) == 4
    assert set(obs["dataset"]) == set(mine["dataset"]) and (obs["metric"] == "wer").all()
    assert (np.diff(obs["z"].to_numpy()) <= 0).all()          # best first
    assert not obs["higher_is_better"].any()                   # WER: lower is better


def test_find_models_accepts_aliases_and_caps_at_four(rec):
    found, missing, notices = find_models(rec, ["SPEECH/WHISP-4B-V2", "whisp-4b-v2", "nope/never-heard"])
    assert found == ["speech/whisp-4b-v2"] and missing == ["nope/never-heard"]
    many = rec.catalog["model"].head(MAX_MODELS + 2).tolist()
    found, _, notices = find_models(rec, many)
    assert found == many[:MAX_MODELS] and any("only the first 4" in n for n in notices)
    assert suggest(rec, "whisp-16b") == ["speech/whisp-16b-v10", "speech/whisp-16b-v4"]


def test_profile_bundle_and_refusals(rec):
    p = profile(rec, ["vis/vit-8b-v3", "whisp-typo"])
    assert p["models"] == ["vis/vit-8b-v3"]
    assert p["facts"].iloc[0]["params_b"] == 8 and p["facts"].iloc[0]["family"] == "vit"
    assert any("whisp-typo" in n for n in p["notices"])
    assert set(p["observed"]["dataset"]) == {f"imageset-{i}" for i in range(6)}
    with pytest.raises(InputError, match="not in the catalog"):
        profile(rec, ["nothing/like-this"])
    with pytest.raises(InputError, match="Pick up to 4"):
        profile(rec, [])


def test_search_models_searches_the_whole_catalog_and_tolerates_typos(rec):
    from modellens_core.serving.profile import search_models
    names = rec.catalog["model"].tolist()
    assert search_models(rec, "") == [] and search_models(rec, None) == [] and search_models(rec, "vit", 0) == []
    assert search_models(rec, "VIS/VIT-8B-V3")[0] == "vis/vit-8b-v3"              # exact (any case) first
    hits = search_models(rec, "vis/vit-8", 50)
    assert hits and all(h.startswith("vis/vit-8") for h in hits)                 # a prefix being typed
    assert search_models(rec, "vit 8b v3")[0] == "vis/vit-8b-v3"                 # words in any punctuation
    assert search_models(rec, "vis/vti-8b-v3", 3)[0] == "vis/vit-8b-v3"          # a typo: fuzzy fallback
    assert search_models(rec, "zzzzqqqq") == []
    last = names[-1]                                                            # not only the top of the catalog
    assert last in search_models(rec, last.upper())
    assert len(search_models(rec, "b", 7)) == 7


def test_search_models_on_a_large_catalog_finds_a_model_outside_any_top_list():
    """The brief's own examples, on a 20k-name catalog where the target has no records."""
    import pandas as pd
    from modellens_core.serving.candidates import NameResolver
    from modellens_core.serving.profile import search_models
    target = "google/vit-base-patch16-224"
    names = [f"org{i}/model-{i}" for i in range(20000)] + [target, "google/vit-large-patch32-384"]
    cat = pd.DataFrame({"model": names, "n_records": [5] * 20000 + [0, 0], "popularity": 0.0,
                        "aliases": [[] for _ in names]})
    class Fake:                                                       # weak-referenceable, like a Recommender
        pass
    fake = Fake()
    fake.catalog, fake.resolver = cat, NameResolver(cat)
    assert search_models(fake, "google/vit-bas")[0] == target
    assert search_models(fake, "vit base patch16")[0] == target
    assert search_models(fake, "gogle/vit-bse-patch16-224")[0] == target


def test_strength_marks_extrapolation(rec):
    s = domain_strength(rec, ["speech/whisp-4b-v2"]).set_index("domain")
    assert s.loc["speech", "basis"] == "records" and s.loc["speech", "n_records"] == 4
    assert s.loc["text", "basis"] == s.loc["vision", "basis"] == "extrapolation"
    assert (s.loc[["text", "vision"], "n_records"] == 0).all()
    from modellens_core.serving.profile import evidence_basis
    assert evidence_basis(0, "vision", "vision") == "modality"
    assert evidence_basis(3, "text", "vision") == "records"
    assert evidence_basis(0, "text", "vision") == "extrapolation"
