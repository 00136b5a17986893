"""Bad input through the Python API (``Recommender.recommend``) on the synthetic corpus.

Every case ends in a clear ``InputError`` message written for users or in a valid table (with
a notice where something was changed or ignored), never another exception, and within a time
limit (each call runs in a worker thread and must finish in ``LIMIT_S`` seconds).
"""
from __future__ import annotations

import concurrent.futures as cf
import math

import numpy as np
import pytest

from modellens_core.serving.candidates import MAX_CANDIDATES
from modellens_core.serving.inputs import MAX_DESCRIPTION_CHARS, InputError
from modellens_core.serving.recommender import Recommender
from modellens_core.serving.request import Filters, RankRequest

LIMIT_S = 300   # a hang guard only, far above any answer time (20,000 names took > 30 s on a loaded 2-core CI)
SPEECH = "English speech recordings transcribed to text."
_POOL = cf.ThreadPoolExecutor(max_workers=4)


@pytest.fixture(scope="module")
def rec(synthetic_assets, tiny_checkpoints):
    return Recommender.load(synthetic_assets, tiny_checkpoints)


def call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with a time limit: a hung call fails the test instead of blocking it."""
    return _POOL.submit(fn, *args, **kwargs).result(timeout=LIMIT_S)


def refused(rec, match: str, *args, **kwargs) -> str:
    """The InputError message of a refused call (must match ``match``, case-insensitive)."""
    with pytest.raises(InputError) as exc:
        call(rec.recommend, *args, **kwargs)
    msg = str(exc.value)
    assert msg and "Traceback" not in msg
    assert match.lower() in msg.lower(), msg
    return msg


def explained(ranking):
    """The ranking's table, with what was understood beside it (``attrs``: here, for the checks only)."""
    table = ranking.table
    table.attrs = ranking.understood()
    return table


def valid(ranking, n: int | None = None):
    """A ranked table: ranks 1..n, finite scores sorted best first, a notices list."""
    table = explained(ranking)
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    s = table["score"].to_numpy(np.float64)
    key = s + 1e6 * table["rank_level"].to_numpy(np.float64)  # evaluated-on-this-task models first
    assert np.isfinite(s).all() and (np.diff(key) <= 1e-6).all()
    assert isinstance(table.attrs["notices"], list)
    if n is not None:
        assert len(table) == n
    return table


def notices(table) -> str:
    return "\n".join(table.attrs["notices"])


# ----------------------------------------------------------------------------- descriptions
@pytest.mark.parametrize("text", ["", "   ", " \n\t\r ", None, "\x00\x01\x7f\x9f"])
def test_empty_or_blank_description_is_refused(rec, text):
    refused(rec, "describe your dataset", text)


def test_one_megabyte_description_is_truncated_with_a_notice(rec):
    t = valid(call(rec.recommend, SPEECH + " word" * 250_000, top_k=5), 5)
    assert f"only the first {MAX_DESCRIPTION_CHARS:,} were used" in notices(t)


@pytest.mark.parametrize("text", [
    "speech\x00 recordings\x1b[31m transcribed\x07 to text\x7f",          # control characters
    "speech recordings \ud800 transcribed \udfff to text",                 # lone surrogates
    "speech \ud83d\ude00 recordings",                                      # a surrogate pair written out
])
def test_control_characters_and_surrogates_are_cleaned(rec, text):
    query = call(rec.understand, text)
    q = query.vector
    assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f or 0xd800 <= ord(c) <= 0xdfff for c in query.description)
    query.description.encode("utf-8")                                      # valid UTF-8 now
    assert np.isfinite(q).all()
    valid(call(rec.recommend, text, top_k=3), 3)


@pytest.mark.parametrize("text", [
    "🎙️🎧 speech recordings 🗣️ transcribed to text 📝",                     # emoji
    "تسجيلات صوتية باللغة العربية مكتوبة نصا",                             # Arabic (RTL)
    "הקלטות דיבור בעברית מתומללות לטקסט \u202e reversed \u202c",           # Hebrew + bidi overrides
    "中文语音识别数据集：普通话录音及其文字转写。日本語の音声も含む。",          # CJK
])
def test_emoji_rtl_and_cjk_descriptions_rank(rec, text):
    t = valid(call(rec.recommend, text, top_k=4), 4)
    assert t.attrs["task"] in rec.known_tasks


def test_html_in_the_description_is_kept_as_data(rec):
    text = "<script>alert('x')</script><img src=x onerror=alert(1)> speech recordings"
    query = call(rec.understand, text)
    assert query.description == text                      # verbatim: escaping is the renderer's job
    valid(call(rec.recommend, text, top_k=3), 3)


def test_non_string_description_is_read_as_text(rec):
    valid(call(rec.recommend, 12345, top_k=2), 2)


# ----------------------------------------------------------------------------- candidates
def test_html_candidate_name_is_returned_verbatim(rec):
    evil = "<img src=x onerror=alert(1)>/<b>model</b>-7b"
    t = valid(call(rec.recommend, SPEECH, candidates=[evil, "speech/whisp-2b-v1"]), 2)
    row = t[~t["in_catalog"].astype(bool)].iloc[0]
    assert row["model"] == evil and not row["seen"]
    assert evil in notices(t)


def test_unknown_names_are_ranked_unseen_from_their_name(rec):
    t = valid(call(rec.recommend, SPEECH, candidates=["newlab/mystery-asr-3b", "speech/whisp-2b-v1"]), 2)
    new = t.set_index("model").loc["newlab/mystery-asr-3b"]
    assert not new["in_catalog"] and not new["seen"] and new["params_b"] == 3
    assert "not in the catalog" in notices(t)


def test_misspelled_names(rec):
    # case and a missing organisation resolve to the catalog model; a typo is an unknown name
    t = valid(call(rec.recommend, SPEECH, candidates=["SPEECH/WHISP-2B-V1", "whisp-4b-v2", "speech/wihsp-2b-v1"]), 3)
    assert set(t["model"]) == {"speech/whisp-2b-v1", "speech/whisp-4b-v2", "speech/wihsp-2b-v1"}
    assert t.set_index("model")["in_catalog"].to_dict() == {"speech/whisp-2b-v1": True, "speech/whisp-4b-v2": True,
                                                             "speech/wihsp-2b-v1": False}


def test_duplicated_names_are_ranked_once(rec):
    names = ["speech/whisp-2b-v1", "speech/whisp-2b-v1", "Speech/Whisp-2b-v1", "x/new-1b", "X/NEW-1B", "x/new-1b"]
    t = valid(call(rec.recommend, SPEECH, candidates=names), 2)
    assert sorted(t["model"]) == ["speech/whisp-2b-v1", "x/new-1b"]
    assert "4 duplicate candidate name(s) were ranked once" in notices(t)


def test_all_unknown_candidates(rec):
    names = [f"lab{i}/unknown-model-{i}b" for i in range(1, 6)]
    t = valid(call(rec.recommend, SPEECH, candidates=names), 5)
    assert not t["in_catalog"].astype(bool).any() and not t["seen"].astype(bool).any()
    assert "5 candidate(s) are not in the catalog" in notices(t)


def test_ten_thousand_candidates(rec):
    names = list(rec.catalog["model"]) + [f"bulk/model-{i}" for i in range(10_000 - len(rec.catalog))]
    t = valid(call(rec.recommend, SPEECH, candidates=names, top_k=50), 50)
    assert f"{10_000 - len(rec.catalog)} candidate(s) are not in the catalog" in notices(t)
    full = valid(call(rec.recommend, SPEECH, candidates=names))
    assert len(full) == 10_000 and full["model"].is_unique


def test_more_candidates_than_the_limit_are_cut_with_a_notice(rec):
    names = [f"bulk/m{i}" for i in range(MAX_CANDIDATES + 5)]
    t = valid(call(rec.recommend, SPEECH, candidates=names, top_k=3), 3)
    assert f"only the first {MAX_CANDIDATES:,} were ranked" in notices(t)


@pytest.mark.parametrize("names", [[], ["", "   ", "\n"], [None, "\x00"]])
def test_empty_candidate_list_is_refused(rec, names):
    refused(rec, "candidate list is empty", SPEECH, candidates=names)


def test_odd_candidate_entries(rec):
    # a single string is one name; numbers are read as names; control characters are cleaned
    t = valid(call(rec.recommend, SPEECH, candidates="speech/whisp-2b-v1"), 1)
    assert t["model"].iloc[0] == "speech/whisp-2b-v1"
    t = valid(call(rec.recommend, SPEECH, candidates=[123, "speech/whisp-2b-v1\x00", None]), 2)
    assert set(t["model"]) == {"123", "speech/whisp-2b-v1"}


# ----------------------------------------------------------------------------- task and metric
@pytest.mark.parametrize("field", ["task", "metric"])
@pytest.mark.parametrize("value", ["no-such-thing", "<b>bold</b>", "\x00", "automatic speech recognitoin"])
def test_unknown_task_or_metric_is_a_notice(rec, field, value):
    t = valid(call(rec.recommend, SPEECH, top_k=2, **{field: value}), 2)
    assert f"Unknown {field} '{value.strip(chr(0))}'" in notices(t) and t.attrs[f"{field}_inferred"]
    assert "\x00" not in notices(t)
    assert t.attrs[field] in (rec.known_tasks if field == "task" else rec.known_metrics + ["accuracy"])


def test_huge_unknown_task_is_quoted_briefly(rec):
    t = valid(call(rec.recommend, SPEECH, task="x" * 1_000_000, metric="\ud800" * 1000, top_k=1), 1)
    assert all(len(n) < 300 for n in t.attrs["notices"]) and len(t.attrs["notices"]) == 2


@pytest.mark.parametrize("value", ["infer from description", "auto", "", "  ", None])
def test_infer_placeholders_mean_infer(rec, value):
    t = valid(call(rec.recommend, SPEECH, task=value, metric=value, top_k=1), 1)
    assert t.attrs["task_inferred"] and not any("Unknown" in n for n in t.attrs["notices"])


# ----------------------------------------------------------------------------- filters
@pytest.mark.parametrize("kwargs", [
    dict(families=["alpha"], modalities=["speech"]),          # alpha is a text family
    dict(families=["no-such-family"]),
    dict(min_params_b=1000),
    dict(max_params_b=0, include_unknown_size=False),
    dict(max_params_b=0.5, min_params_b=0.25, include_unknown_size=False),
    dict(candidates=["newlab/model-70b"], max_params_b=8),
])
def test_contradictory_filters_give_an_explained_empty_result(rec, kwargs):
    t = explained(call(rec.recommend, SPEECH, **kwargs))
    assert len(t) == 0 and "No model satisfies these filters" in notices(t)
    assert t.attrs["task"]                                   # the query is still explained


@pytest.mark.parametrize("kwargs,match", [
    (dict(max_params_b=-1), "cannot be negative"),
    (dict(min_params_b=-0.001), "cannot be negative"),
    (dict(max_params_b=float("nan")), "not a number"),
    (dict(min_params_b="nan"), "not a number"),
    (dict(max_params_b="seven"), "must be a number"),
    (dict(max_params_b=[1, 2]), "must be a number"),
    (dict(min_params_b=10, max_params_b=1), "larger than"),
    (dict(top_k=float("nan")), "whole number"),
    (dict(top_k="ten"), "whole number"),
    (dict(top_k=float("inf")), "whole number"),
])
def test_bad_bounds_are_refused_with_a_message(rec, kwargs, match):
    refused(rec, match, SPEECH, **kwargs)


def test_bad_bounds_are_refused_before_any_other_work(rec):
    # the size check comes first: no encoder work is wasted on a request that will be refused
    refused(rec, "cannot be negative", "", max_params_b=-5)


@pytest.mark.parametrize("kwargs", [dict(max_params_b=1e308), dict(max_params_b=math.inf),
                                    dict(max_params_b="1e400"), dict(min_params_b=0), dict(max_params_b="  ")])
def test_huge_zero_and_blank_bounds_keep_every_model(rec, kwargs):
    t = valid(call(rec.recommend, SPEECH, fit_modality=False, **kwargs))
    assert len(t) == len(rec.catalog)


def test_an_unknown_modality_is_ignored_with_a_notice(rec):
    t = valid(call(rec.recommend, SPEECH, modalities=["smell"], top_k=3), 3)
    assert "Unknown modality ignored: smell" in notices(t)


def test_zero_maximum_keeps_only_models_of_unknown_size(rec):
    t = valid(call(rec.recommend, SPEECH, max_params_b=0, candidates=["speech/whisp-2b-v1", "lab/no-size-model"]), 1)
    assert t["model"].tolist() == ["lab/no-size-model"] and np.isnan(t["params_b"].iloc[0])


@pytest.mark.parametrize("top_k,n", [(0, 1), (-5, 1), (10**12, None), ("3", 3), (2.7, 2)])
def test_odd_top_k_is_clamped(rec, top_k, n):
    t = valid(call(rec.recommend, SPEECH, top_k=top_k, fit_modality=False))
    assert len(t) == (len(rec.catalog) if n is None else n)


# ----------------------------------------------------------------------------- concurrency
def test_two_identical_requests_at_once_give_identical_results(rec):
    futures = [_POOL.submit(rec.recommend, SPEECH + " (twice)", top_k=10) for _ in range(2)]
    a, b = (f.result(timeout=LIMIT_S) for f in futures)
    assert a.table.equals(b.table) and a.understood() == b.understood() and len(a.table) == 10


@pytest.mark.parametrize("unseen_scale", [1.0, 0.3])
def test_fast_engine_matches_the_full_model_forward(rec, unseen_scale, monkeypatch):
    """The precomputed path scores exactly like the model's own forward over all candidates,
    also when the residual of unseen models is shrunk (``unseen_residual_scale``)."""
    import dataclasses

    import torch
    from modellens_core.ranker.features import context_features, model_features
    cfg = dataclasses.replace(rec.cfg, unseen_residual_scale=unseen_scale)
    monkeypatch.setattr(rec, "cfg", cfg)
    monkeypatch.setattr(rec.model, "cfg", cfg)
    query = rec.understand(SPEECH)
    q = query.vector
    fast = rec.rank(query, RankRequest(SPEECH, top_k=None, filters=Filters(fit_modality=False))).table
    fast = fast.set_index("model")["score"]
    cat = rec.catalog
    feats = model_features(rec.vocab, cat["model"].tolist(), rec.corpus.model_emb, cat["params_b"],
                           cat["family"], rec.cfg.name_buckets)
    ctx = context_features(rec.vocab, [query.match or "[UNK]"], q[None, :], [query.task], [query.metric], [query.subset])
    evidence = rec.query_evidence(query, by_pairs=True)   # training's lookups, not the engine's scatter
    with torch.no_grad():
        naive = rec.model({k: v[None] for k, v in feats.items()}, ctx, torch.from_numpy(evidence)[None])["score"][0].numpy()
    np.testing.assert_allclose(fast.loc[cat["model"]].to_numpy(), naive, atol=1e-5, rtol=0)


def test_exact_tier_shortcut_gives_the_head_of_the_full_ranking(rec):
    """Catalog-wide top-k skips models that cannot reach the top tiers: the same rows as the
    head of the whole ranking."""
    for text in (SPEECH, "photos of objects", "answer questions about English news articles"):
        query = rec.understand(text)
        full = rec.rank(query, RankRequest(text, top_k=None)).table
        for k in (1, 5, 20):
            head = rec.rank(query, RankRequest(text, top_k=k)).table
            assert list(head["model"]) == list(full["model"].head(k))
            np.testing.assert_allclose(head["score"], full["score"].head(k), atol=1e-5, rtol=0)
            assert list(head["rank_level"]) == list(full["rank_level"].head(k))


def test_csv_download_neutralises_spreadsheet_formulas(tmp_path):
    """Cells a spreadsheet would run (=, +, -, @) are written with a leading quote; the rest
    round-trips unchanged."""
    import csv

    import pandas as pd
    from modellens_core.ui.recommend_tab import write_csv
    table = pd.DataFrame({"rank": [1, 2, 3], "model": ["=HYPERLINK(\"x\")", "@SUM(A1)", "org/model-7b"],
                          "predicted z": [0.5, -1.25, float("nan")], "note": ["+1", "-2", "<b>ok</b>"]})
    with open(write_csv(table), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["rank", "model", "predicted z", "note"]
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(\"x\")", "'@SUM(A1)", "org/model-7b"]
    assert [r[3] for r in rows[1:]] == ["'+1", "'-2", "<b>ok</b>"]
    assert [r[2] for r in rows[1:]] == ["0.5", "-1.25", ""]  # numbers stay numbers, NaN is empty
    assert write_csv(table) == write_csv(table.copy())  # named by content: a repeat reuses the file
    assert write_csv(table.iloc[:0]) is None
