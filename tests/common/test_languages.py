"""Language codes as the corpus writes them, and the languages a model is known in."""
import time

import pandas as pd
import pytest

from modellens_core.common.languages import (
    iso1, iso3, language_name, model_languages, spellings, subset_languages,
)
from modellens_core.common.paths import ASSETS


@pytest.mark.parametrize("code, expected", [
    ("en", "en"), ("eng", "en"), ("EN", "en"), ("deu", "de"), ("ger", "de"), ("cmn", "zh"), ("zho", "zh"),
    ("fas", "fa"), ("per", "fa"), ("pes", "fa"), ("nob", "no"), ("nno", "no"), ("nor", "no"), ("nb", "no"),
    ("arb", "ar"), ("ary", "ar"), ("swh", "sw"), ("jp", "ja"), ("fil", "tl"), ("yue", "yue"),
    ("deu-Latn", "de"), ("hin_Deva", "hi"), ("en-US", "en"), ("zh-CN", "zh"), ("pt-BR", "pt"),
    ("English", "en"), ("German", "de"), ("german", "de"), ("Farsi", "fa"), (" de ", "de"),
])
def test_iso1_normalises_codes_tags_and_names(code, expected):
    assert iso1(code) == expected


@pytest.mark.parametrize("token", [
    "default", "test", "python", "java", "go", "c++", "zxx", "open-llm-v2", "severity-1", "FC", "5-shot",
    "validation/default", "", "the", "awa", "en-de", "en_post", "hin-eng",
])
def test_iso1_refuses_what_is_not_one_language(token):
    # "awa" (Awadhi) and "the" (Chaudangsi) are languages without a 639-1 code; "en-de" is a pair
    assert iso1(token) is None


def test_iso3_spellings_and_names():
    assert iso3("de") == "deu" and iso3("zh") == "zho" and iso3("cmn") == "zho" and iso3("no") == "nor"
    assert iso3("python") is None
    assert spellings("zh") == ("zh", "zho", "cmn")
    assert spellings("de") == ("de", "deu")
    assert set(spellings("no")) == {"no", "nor", "nb", "nn", "nob", "nno"}
    assert "ger" not in spellings("de")          # bibliographic codes are read, never written
    assert spellings("xx") == ()
    assert language_name("de") == "German" and language_name("deu") == "German"
    assert language_name("yue") == "Cantonese" and language_name("qqq") == "qqq"


def test_round_trips():
    for c1 in ("en", "de", "fr", "zh", "ja", "ar", "hi", "no", "fa", "sw", "yue"):
        assert iso1(iso3(c1)) == c1
        assert all(iso1(s) == c1 for s in spellings(c1))
        assert iso1(language_name(c1)) == c1


@pytest.mark.parametrize("subset, expected", [
    ("de", ("de",)), ("validation/de", ("de",)), ("deu-Latn", ("de",)), ("zh-TW", ("zh",)), ("english", ("en",)),
    ("hin_Deva-eng_Latn", ("hi", "en")), ("fr-en", ("fr", "en")), ("validation/eng-hin", ("en", "hi")),
    ("ja_basic-history", ("ja",)), ("pt_br", ("pt",)), ("cmn_hans_cn", ("zh",)), ("Norwegian_b", ("no",)),
    ("awa-eng", ("en",)), ("doi_Deva-ben_Beng", ("bn",)),
    ("ace_Latn", ()),                                  # a language, but one without a 639-1 code
    ("default", None), ("5-shot", None), ("open-llm-v1", None), ("severity-3", None), ("FC", None),
    ("ms+flip", None), ("obsscaling/2-shot", None), ("test_256/default", None), ("", None),
])
def test_subset_languages(subset, expected):
    assert subset_languages(subset) == expected


def test_model_languages_prefers_subset_languages_and_leaves_unknown_models_out():
    datasets = pd.DataFrame({"dataset": ["xnli", "germanquad", "imagenet", "audioset", "humaneval"],
                             "languages": ["eng,deu,fra,zho", "deu", "", "zxx", "python"]})
    records = pd.DataFrame({
        "model": ["a", "a", "b", "b", "c", "d", "e", "e"],
        "dataset": ["xnli", "xnli", "xnli", "germanquad", "imagenet", "audioset", "humaneval", "unlisted"],
        "subset": ["de", "fr", "default", "default", "de", "default", "default", "de"],
    })
    got = model_languages(records, datasets)
    assert got["a"] == frozenset({"de", "fr"})                # the subsets name the languages
    assert got["b"] == frozenset({"en", "de", "fr", "zh"})    # no language subset: the dataset's (lenient)
    # language-free datasets add nothing, not even through a subset that looks like a language;
    # code-only and unlisted datasets add nothing either
    assert "c" not in got and "d" not in got and "e" not in got


def test_a_german_only_model_of_the_real_corpus():
    if not (ASSETS / "corpus" / "records.parquet").exists():
        pytest.skip("no corpus")
    start = time.perf_counter()
    records = pd.read_parquet(ASSETS / "corpus" / "records.parquet", columns=["model", "dataset", "subset"])
    datasets = pd.read_parquet(ASSETS / "corpus" / "datasets.parquet", columns=["dataset", "languages"])
    got = model_languages(records, datasets)
    assert time.perf_counter() - start < 10
    # evaluated on GermanQuAD, GerDaLIR, ... and the German subsets of MIRACL and xMarket only
    assert got["malteos/most-embed-de"] == frozenset({"de"})
    assert all(got.values()) and len(got) < records["model"].nunique()   # some models stay unknown
