"""Natural-language codes as the corpus writes them, and the languages a model is known in.

``iso1("deu-Latn")`` -> ``"de"``; ``iso1("German")`` -> ``"de"``; ``iso1("open-llm-v2")`` -> ``None``;
``iso3("zh")`` -> ``"zho"``; ``spellings("zh")`` -> ``("zh", "zho", "cmn")``;
``language_name("de")`` -> ``"German"``; ``subset_languages("hin_Deva-eng_Latn")`` -> ``("hi", "en")``;
``model_languages(records, datasets)["org/model"]`` -> ``frozenset({"de", "en"})``.

A language is named by its ISO 639-1 code. The corpus mixes 639-1 ("de"), 639-3 ("deu"), codes
of one member of a macrolanguage ("cmn" Mandarin, "arb" Standard Arabic, "nob" Bokmål), script
and region tags ("hin_Deva", "zh-CN") and English names ("german"); all read as the 639-1 code of
the (macro)language. Cantonese, which has no 639-1 code and is not Mandarin, keeps "yue".
Languages with neither (Awadhi "awa", Cebuano "ceb") are not tracked: ``iso1`` gives None.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

# 639-3 code, 639-1 code, English name: every ISO 639-1 language, plus Cantonese
_TABLE = """
aar aa Afar | abk ab Abkhazian | afr af Afrikaans | aka ak Akan | amh am Amharic | ara ar Arabic
arg an Aragonese | asm as Assamese | ava av Avar | ave ae Avestan | aym ay Aymara
aze az Azerbaijani | bak ba Bashkir | bam bm Bambara | bel be Belarusian | ben bn Bengali
bis bi Bislama | bod bo Tibetan | bos bs Bosnian | bre br Breton | bul bg Bulgarian | cat ca Catalan
ces cs Czech | cha ch Chamorro | che ce Chechen | chu cu Church Slavonic | chv cv Chuvash
cor kw Cornish | cos co Corsican | cre cr Cree | cym cy Welsh | dan da Danish | deu de German
div dv Dhivehi | dzo dz Dzongkha | ell el Greek | eng en English | epo eo Esperanto
est et Estonian | eus eu Basque | ewe ee Ewe | fao fo Faroese | fas fa Persian | fij fj Fijian
fin fi Finnish | fra fr French | fry fy Frisian | ful ff Fula | gla gd Scottish Gaelic
gle ga Irish | glg gl Galician | glv gv Manx | grn gn Guarani | guj gu Gujarati
hat ht Haitian Creole | hau ha Hausa | hbs sh Serbo-Croatian | heb he Hebrew | her hz Herero
hin hi Hindi | hmo ho Hiri Motu | hrv hr Croatian | hun hu Hungarian | hye hy Armenian | ibo ig Igbo
ido io Ido | iii ii Sichuan Yi | iku iu Inuktitut | ile ie Interlingue | ina ia Interlingua
ind id Indonesian | ipk ik Inupiaq | isl is Icelandic | ita it Italian | jav jv Javanese
jpn ja Japanese | kal kl Greenlandic | kan kn Kannada | kas ks Kashmiri | kat ka Georgian
kau kr Kanuri | kaz kk Kazakh | khm km Khmer | kik ki Kikuyu | kin rw Kinyarwanda | kir ky Kyrgyz
kom kv Komi | kon kg Kongo | kor ko Korean | kua kj Kwanyama | kur ku Kurdish | lao lo Lao
lat la Latin | lav lv Latvian | lim li Limburgish | lin ln Lingala | lit lt Lithuanian
ltz lb Luxembourgish | lub lu Luba-Katanga | lug lg Luganda | mah mh Marshallese | mal ml Malayalam
mar mr Marathi | mkd mk Macedonian | mlg mg Malagasy | mlt mt Maltese | mon mn Mongolian
mri mi Maori | msa ms Malay | mya my Burmese | nau na Nauru | nav nv Navajo | nbl nr South Ndebele
nde nd North Ndebele | ndo ng Ndonga | nep ne Nepali | nld nl Dutch | nor no Norwegian
nya ny Chichewa | oci oc Occitan | oji oj Ojibwe | ori or Odia | orm om Oromo | oss os Ossetian
pan pa Punjabi | pli pi Pali | pol pl Polish | por pt Portuguese | pus ps Pashto | que qu Quechua
roh rm Romansh | ron ro Romanian | run rn Rundi | rus ru Russian | sag sg Sango | san sa Sanskrit
sin si Sinhala | slk sk Slovak | slv sl Slovenian | sme se Northern Sami | smo sm Samoan
sna sn Shona | snd sd Sindhi | som so Somali | sot st Sotho | spa es Spanish | sqi sq Albanian
srd sc Sardinian | srp sr Serbian | ssw ss Swati | sun su Sundanese | swa sw Swahili
swe sv Swedish | tah ty Tahitian | tam ta Tamil | tat tt Tatar | tel te Telugu | tgk tg Tajik
tgl tl Tagalog | tha th Thai | tir ti Tigrinya | ton to Tongan | tsn tn Tswana | tso ts Tsonga
tuk tk Turkmen | tur tr Turkish | twi tw Twi | uig ug Uyghur | ukr uk Ukrainian | urd ur Urdu
uzb uz Uzbek | ven ve Venda | vie vi Vietnamese | vol vo Volapük | wln wa Walloon | wol wo Wolof
xho xh Xhosa | yid yi Yiddish | yor yo Yoruba | zha za Zhuang | zho zh Chinese | zul zu Zulu
yue yue Cantonese
"""
_ROWS = [r.split(maxsplit=2) for line in _TABLE.strip().splitlines() for r in line.split(" | ")]
_ISO3 = {c1: c3 for c3, c1, _ in _ROWS}
_NAME = {c1: name for _, c1, name in _ROWS}

# Other codes the corpus writes for a language: members of the macrolanguage (Mandarin, Standard
# and dialectal Arabic, Bokmål/Nynorsk, ...), Filipino (standardised Tagalog) and the misspelling
# "jp". They read as the macrolanguage: lenient, a model tested on Moroccan Arabic knows some Arabic.
_MEMBERS = {
    "zh": "cmn", "ar": "arb ary arz acm apc ars aeb ajp acq arq ayl apd aec", "fa": "pes prs",
    "no": "nb nn nob nno", "ms": "zsm zlm", "sw": "swh", "uz": "uzn uzs", "lv": "lvs", "ne": "npi",
    "mn": "khk", "az": "azj azb", "et": "ekk", "om": "gaz", "mg": "plt", "sq": "als", "yi": "ydd",
    "ps": "pbt", "ay": "ayr", "qu": "quy quz", "ku": "kmr ckb sdh", "or": "ory", "gn": "gug",
    "kr": "knc", "ff": "fuv fuc", "tl": "fil", "ja": "jp",
}
# ISO 639-2/B codes: understood, but the corpus never writes them, so not among ``spellings``
_BIBLIOGRAPHIC = {"tib": "bo", "cze": "cs", "wel": "cy", "ger": "de", "gre": "el", "baq": "eu", "per": "fa",
                  "fre": "fr", "arm": "hy", "ice": "is", "geo": "ka", "mac": "mk", "mao": "mi", "may": "ms",
                  "bur": "my", "dut": "nl", "rum": "ro", "slo": "sk", "alb": "sq", "chi": "zh"}
_OTHER_NAMES = {"farsi": "fa", "mandarin": "zh", "filipino": "tl", "bokmål": "no", "bokmal": "no",
                "nynorsk": "no", "norwegian bokmål": "no", "norwegian nynorsk": "no", "panjabi": "pa",
                "pushto": "ps", "kirghiz": "ky", "uighur": "ug", "oriya": "or", "sinhalese": "si",
                "slovene": "sl", "flemish": "nl", "castilian": "es", "haitian": "ht", "ganda": "lg",
                "nyanja": "ny", "kalaallisut": "kl", "western frisian": "fy", "modern greek": "el"}

_CODE: dict[str, str] = {c: c1 for c3, c1, _ in _ROWS for c in (c3, c1)}
_CODE.update({m: c1 for c1, members in _MEMBERS.items() for m in members.split()})
_CODE.update(_BIBLIOGRAPHIC)
# lowercase English name -> code (the parser matches these in descriptions)
ENGLISH_NAMES: dict[str, str] = {name.lower(): c1 for _, c1, name in _ROWS} | _OTHER_NAMES

_SCRIPT = re.compile(r"[A-Z][a-z]{3}")   # ISO 15924 script subtag, title case: "Latn", "Deva" (not "post")
_TAG = re.compile(r"([A-Za-z]{2,3})((?:[-_](?:[A-Za-z]{4}|[A-Za-z]{2}|\d{3}))*)")
_LANGUAGE_FREE = "zxx"   # ISO 639 "no linguistic content": images, audio events, molecules


def iso1(code) -> str | None:
    """ISO 639-1 code of a language code, tag or English name ("deu", "ger", "cmn" -> "zh",
    "nob" -> "no", "hin_Deva", "en-US", "German"); None for anything else ("default", "test",
    "python", "zxx", "severity-1", "FC") and for languages without a 639-1 code ("awa")."""
    s = str(code).strip()
    if s.lower() in ENGLISH_NAMES:
        return ENGLISH_NAMES[s.lower()]
    m = _TAG.fullmatch(s)
    if not m:
        return None
    for sub in re.split(r"[-_]", m.group(2))[1:]:
        # "en-de" is a language pair, not English in a region "de"; "en-US", "zh-CN", "hin_Deva" are tags
        if (len(sub) == 4 and not _SCRIPT.fullmatch(sub)) or (len(sub) == 2 and sub.islower() and sub in _CODE):
            return None
    return _CODE.get(m.group(1).lower())


def iso3(code) -> str | None:
    """ISO 639-3 code of any spelling of a language ("de" -> "deu", "cmn" -> "zho"); None if unknown."""
    c1 = iso1(code)
    return _ISO3[c1] if c1 else None


def spellings(code1: str) -> tuple[str, ...]:
    """Every code the corpus writes for a language, 639-1 first: "zh" -> ("zh", "zho", "cmn"),
    "de" -> ("de", "deu"); () for an unknown code. English names ("german") are left out."""
    if code1 not in _ISO3:
        return ()
    return tuple(dict.fromkeys((code1, _ISO3[code1], *_MEMBERS.get(code1, "").split())))


def language_name(code1: str) -> str:
    """English name of a language given by any spelling ("de" -> "German"); the input as is if unknown."""
    return _NAME.get(iso1(code1) or "", str(code1))


def subset_languages(subset) -> tuple[str, ...] | None:
    """Languages (639-1, in order) a leaderboard subset names, or None when it names none.

    The part after the last "/" is read ("validation/de"): one language tag ("deu-Latn", "zh-CN",
    "english"), or "-"-separated pieces whose first "_"-token may be a language ("hin_Deva-eng_Latn",
    "fr-en", "ja_basic-history", "pt_br", "Norwegian_b"). A code with a script subtag names a
    language even without a 639-1 code: "ace_Latn" -> ``()``, while "5-shot" -> None."""
    part = str(subset).rsplit("/", 1)[-1].strip()
    whole = iso1(part)
    if whole:
        return (whole,)
    codes, named = [], False
    for piece in part.split("-"):
        first, *rest = piece.split("_")
        code_shaped = len(first) in (2, 3)
        c1 = ENGLISH_NAMES.get(first.lower()) or (_CODE.get(first.lower()) if code_shaped else None)
        if c1:
            codes.append(c1)
        named = named or c1 is not None or (code_shaped and bool(rest) and bool(_SCRIPT.fullmatch(rest[0])))
    return tuple(dict.fromkeys(codes)) if named else None


def model_languages(records: pd.DataFrame, datasets: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The natural languages (639-1) each model has been evaluated in; models without language
    evidence are absent (= unknown).

    A record counts the languages its subset names, else its dataset's ``languages``. A dataset
    whose languages are empty or "zxx" (images, audio events, ...) contributes nothing, not even
    through its subsets, and so does a dataset missing from ``datasets``. Lenient by design: one
    multilingual benchmark run (MTEB, Belebele) makes a model known in every language of that
    benchmark or subset. ``records``: model, dataset, subset; ``datasets``: dataset, languages.
    Work is per distinct (dataset, subset) pair, then per distinct (model, language set):
    about 1.5 s for the 1.5M records of the corpus.
    """
    by_dataset = {d: _dataset_languages(cell)
                  for d, cell in zip(datasets["dataset"], datasets["languages"], strict=True)}
    ds_id, ds_names = pd.factorize(records["dataset"], use_na_sentinel=False)
    sub_id, sub_names = pd.factorize(records["subset"].fillna("").astype(str))
    ds_names, sub_names, width = list(ds_names), list(sub_names), len(sub_names) + 1
    pair, keys = pd.factorize(ds_id.astype(np.int64) * width + sub_id)   # pair id of each record
    sets: dict[frozenset, int] = {frozenset(): 0}       # distinct language sets; 0 = no evidence
    pair_set = np.array([sets.setdefault(_pair_languages(by_dataset.get(ds_names[k // width]), sub_names[k % width]),
                                         len(sets)) for k in keys.tolist()], dtype=np.int64)
    model_id, models = pd.factorize(records["model"])
    record_set = pair_set[pair]
    keep = record_set > 0
    both = pd.unique(model_id[keep].astype(np.int64) * len(sets) + record_set[keep])
    by_id, models = list(sets), list(models)
    out: dict[str, set[str]] = {}
    for m, s in zip((both // len(sets)).tolist(), (both % len(sets)).tolist(), strict=True):
        out.setdefault(models[m], set()).update(by_id[s])
    return {m: frozenset(s) for m, s in out.items()}


def _dataset_languages(cell) -> frozenset[str] | None:
    """639-1 codes of a dataset's comma-separated ``languages`` cell; None when it is empty or "zxx"
    (no linguistic content). Programming languages give an empty set."""
    tokens = {t.strip() for t in str(cell or "").split(",")} - {""}
    if not tokens or tokens == {_LANGUAGE_FREE}:
        return None
    return frozenset(filter(None, map(iso1, tokens)))


def _pair_languages(dataset_langs: frozenset[str] | None, subset: str) -> frozenset[str]:
    """Languages of one (dataset, subset) pair: the subset's when it names some, else the dataset's."""
    if dataset_langs is None:
        return frozenset()
    named = subset_languages(subset)
    return dataset_langs if named is None else frozenset(named)
