"""Languages read from a description: named ones, "multilingual", else the text's own language."""
import pytest

from modellens_core.parser.languages import DataLanguages, read_languages


@pytest.mark.parametrize("text, codes", [
    ("Wir haben deutsche Kundenanfragen und wollen sie nach Thema sortieren.", ("de",)),
    ("我们有中文新闻标题，需要按主题分类。", ("zh",)),
    ("Des avis clients en français, à classer par sentiment.", ("fr",)),
    ("Reseñas de productos en español, positivas o negativas.", ("es",)),
    ("We classify German customer emails by urgency.", ("de",)),
    ("Japanese product reviews", ("ja",)),
    ("Отзывы покупателей на русском языке", ("ru",)),
    ("Deutschsprachige Verträge prüfen", ("de",)),
    ("Des dialogues en allemand", ("de",)),
    ("Transcripciones en alemán", ("de",)),
    ("德语客服邮件分类", ("de",)),
    ("Customer calls in Cantonese", ("yue",)),
    ("Mandarin podcasts", ("zh",)),
    ("Transcribe Norwegian Bokmål podcasts", ("no",)),
    ("Tweets in Swahili and Yoruba", ("sw", "yo")),
    ("Polish news articles", ("pl",)),
    ("Brazilian Portuguese (pt-BR) tweets", ("pt",)),
])
def test_named_languages(text, codes):
    got = read_languages(text)
    assert got.codes == codes and got.source == "named"


@pytest.mark.parametrize("text, codes", [
    ("Translate EN->DE product pages", ("en", "de")),
    ("en-de subtitles for films", ("en", "de")),
    ("de/en legal contracts", ("de", "en")),
    ("English to German legal contracts", ("en", "de")),
    ("German-English parallel sentences", ("de", "en")),
    ("Machine translation eng_Latn-hin_Deva", ("en", "hi")),
    ("Questions in English, answers in Spanish", ("en", "es")),
])
def test_translation_pairs_give_both_languages_in_order(text, codes):
    assert read_languages(text).codes == codes


@pytest.mark.parametrize("text", [
    "A multilingual FAQ retrieval system", "Product descriptions in many languages",
    "Cross-lingual question answering", "Tweets in 18 languages", "Mehrsprachige Produktbeschreibungen",
    "多语言客服对话", "Reseñas multilingües de clientes", "Des documents multilingues",
])
def test_multilingual_words(text):
    got = read_languages(text)
    assert got.multilingual and got.source == "multilingual" and got.codes == ()


def test_multilingual_with_named_languages_keeps_both():
    got = read_languages("Multilingual support tickets, mostly German and French")
    assert got.multilingual and got.codes == ("de", "fr") and got.source == "named"


@pytest.mark.parametrize("text, code", [
    ("Customer reviews labelled positive or negative.", "en"),
    ("Wir möchten Arztbriefe nach Fachgebiet sortieren.", "de"),
    ("Nous voulons trier les courriels des clients par urgence.", "fr"),
    ("Clasificar correos electrónicos de clientes por urgencia.", "es"),
    ("新闻标题分类", "zh"),
])
def test_fallback_to_the_language_it_is_written_in(text, code):
    assert read_languages(text) == DataLanguages((code,), False, code, "written-in")


def test_countries_and_programming_languages_are_not_language_mentions():
    got = read_languages("Support tickets from customers in Germany, classify them by urgency.")
    assert got.codes == ("en",) and got.source == "written-in"       # the English it is written in
    assert read_languages("Kundenanfragen aus Deutschland nach Dringlichkeit sortieren").source == "written-in"
    assert read_languages("Complete Python and Java functions from their docstrings").source != "named"
    assert read_languages("we need to polish the summaries before release").source == "written-in"
    assert read_languages("OCR of Latin characters on receipts").source != "named"


def test_empty_and_unclear_text():
    assert read_languages("") == DataLanguages((), False, "", "none")
    assert read_languages(None) == DataLanguages((), False, "", "none")
    assert read_languages("12345 !!!").source == "none"
    assert read_languages("ASR").written_in == ""

