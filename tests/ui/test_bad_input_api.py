"""Bad input through the running app's ``/recommend`` endpoint (gradio_client, and raw HTTP where
the client cannot send the value: lone surrogates, NaN, malformed bodies), plus the parser of
shareable-link parameters.

Every request must end, within ``LIMIT_S`` seconds, in a valid answer or in a clear message
(the status line, or a validation message from Gradio), never a traceback; user text comes back
verbatim as data (table cells, the link) and escaped in the status Markdown.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from modellens_core.ui.recommend_tab import DEFAULT_TOP_K, INFER, MAX_TOP_K, parse_query

LIMIT_S = 300   # a hang guard only, far above any answer time on a loaded machine
SPEECH = "English speech recordings transcribed to text."
# the endpoint's inputs in order, with their defaults (for raw HTTP calls)
DEFAULTS = [SPEECH, INFER, INFER, "any", True, [], [], False, "", DEFAULT_TOP_K, True, ""]


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False, download_files=False)


def predict(client, **kwargs):
    """(table rows as dicts, status Markdown, link) of one /recommend call, within LIMIT_S."""
    table, status, _csv, link = client.submit(api_name="/recommend", **kwargs).result(timeout=LIMIT_S)
    assert "Traceback" not in status and 'File "' not in status
    return [dict(zip(table["headers"], r)) for r in table["data"]], status, link


def raw_call(app_url: str, body: str) -> tuple[int, str]:
    """POST ``body`` to /gradio_api/call/recommend and read the event stream: (HTTP status, text)."""
    base = app_url + "gradio_api/call/recommend"
    r = httpx.post(base, content=body.encode("utf-8"), headers={"content-type": "application/json"},
                   timeout=LIMIT_S)
    if r.status_code != 200:
        return r.status_code, r.text
    with httpx.stream("GET", f"{base}/{r.json()['event_id']}", timeout=LIMIT_S) as s:
        return 200, "".join(s.iter_text())


def raw_result(app_url: str, data: list) -> list:
    """The outputs of a raw call with inputs ``data`` (json.dumps writes NaN and lone surrogates)."""
    code, text = raw_call(app_url, json.dumps({"data": data}))
    assert code == 200 and text.startswith("event: complete"), text[:300]
    return json.loads(text.split("data:", 1)[1])


def still_serving(client) -> None:
    rows, status, _ = predict(client, description=SPEECH, top_k=3)
    assert len(rows) == 3


# ----------------------------------------------------------------------------- descriptions
@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n", "\x00\x1b\x7f"])
def test_blank_description_gets_a_message(client, text):
    rows, status, _ = predict(client, description=text)
    assert rows == [] and "describe your dataset" in status.lower()


def test_one_megabyte_description_is_truncated_with_a_notice(client):
    rows, status, link = predict(client, description=SPEECH + " word" * 250_000)
    assert rows and "characters long; only the first 4,000 were used" in status
    assert len(parse_qs(urlsplit(link).query)["description"][0]) == 4000   # the link carries the text used


def test_control_characters_are_cleaned(client):
    rows, status, link = predict(client, description="speech\x00 recordings\x1b[31m transcribed\x07")
    assert rows and not any(ord(c) < 32 and c != "\n" for c in status)
    assert parse_qs(urlsplit(link).query)["description"][0] == "speech  recordings [31m transcribed"


def test_lone_surrogates_over_raw_http(app_url):
    table, status, _csv, link = raw_result(app_url, ["speech \ud800 recordings \udfff", *DEFAULTS[1:]])
    assert table["data"] and "**Task:**" in status


@pytest.mark.parametrize("text", [
    "🎙️ speech recordings 🗣️ transcribed to text 📝",
    "تسجيلات صوتية باللغة العربية مكتوبة نصا",
    "הקלטות דיבור מתומללות \u202e reversed \u202c",
    "中文语音识别数据集：普通话录音及其文字转写。",
])
def test_emoji_rtl_and_cjk(client, text):
    rows, status, link = predict(client, description=text)
    assert rows and "**Task:**" in status
    assert parse_qs(urlsplit(link).query)["description"][0] == text          # round-trips through the link


def test_html_description_is_data_not_markup(client):
    text = "<script>alert(1)</script><img src=x onerror=alert(2)> speech recordings"
    rows, status, link = predict(client, description=text)
    assert rows and "<script" not in status and "<img" not in status
    assert "<" not in link and parse_qs(urlsplit(link).query)["description"][0] == text


# ----------------------------------------------------------------------------- candidates
def test_html_candidate_name_is_verbatim_in_the_table_and_escaped_in_the_status(client):
    evil = "<img src=x onerror=alert(1)>"
    rows, status, _ = predict(client, description=SPEECH, candidates=f"{evil}\nspeech/whisp-2b-v1")
    by_model = {r["model"]: r for r in rows}
    assert set(by_model) == {evil, "speech/whisp-2b-v1"} and by_model[evil]["unseen"] == "unseen"
    assert "<img" not in status and "&lt;img src=x onerror=alert\\(1\\)&gt;" in status


def test_unknown_misspelled_and_duplicated_names(client):
    names = "SPEECH/WHISP-2B-V1\nspeech/whisp-2b-v1\nwhisp-4b-v2\nspeech/wihsp-2b-v1\nspeech/wihsp-2b-v1\n\n  \n"
    rows, status, _ = predict(client, description=SPEECH, candidates=names)
    assert {r["model"]: r["unseen"] for r in rows} == {"speech/whisp-2b-v1": "", "speech/whisp-4b-v2": "",
                                                       "speech/wihsp-2b-v1": "unseen"}
    assert "2 duplicate candidate name\\(s\\) were ranked once" in status and "not in the catalog" in status


def test_all_unknown_candidates(client):
    rows, status, _ = predict(client, description=SPEECH, candidates="\n".join(f"lab/m{i}-1b" for i in range(7)))
    assert len(rows) == 7 and all(r["unseen"] == "unseen" for r in rows)


def test_ten_thousand_candidates(client):
    rows, status, link = predict(client, description=SPEECH, top_k=MAX_TOP_K,
                                 candidates="\n".join(f"bulk/model-{i}" for i in range(10_000)))
    assert len(rows) == MAX_TOP_K and "Ranked your 10000 candidate name(s)" in status
    assert len(link) < 10_000                          # the candidate list is left out of an over-long link


# ----------------------------------------------------------------------------- task, metric, filters
def test_unknown_task_and_metric_are_escaped_notices(client):
    rows, status, _ = predict(client, description=SPEECH, task="<b>bogus</b>", metric="no_such_metric")
    assert rows and "Unknown task '&lt;b&gt;bogus&lt;/b&gt;'" in status and "<b>" not in status
    assert "Unknown metric" in status


@pytest.mark.parametrize("kwargs", [dict(families=["alpha"], modalities=["speech"]),
                                    dict(families=["no-such-family"]),
                                    dict(size="edge", include_unknown_size=False, families=["whisp"],
                                         candidates="speech/whisp-16b-v4")])
def test_contradictory_filters_explain_the_empty_result(client, kwargs):
    rows, status, _ = predict(client, description=SPEECH, **kwargs)
    assert rows == [] and "No model satisfies these filters" in status and "**Task:**" in status


@pytest.mark.parametrize("kwargs,message", [
    (dict(size="huge"), "not in the list of choices"),
    (dict(top_k=-5), "less than minimum"),
    (dict(top_k=0), "less than minimum"),
    (dict(top_k=1e9), "greater than maximum"),
])
def test_out_of_range_choices_are_refused_by_gradio_with_a_message(client, kwargs, message):
    with pytest.raises(AppError, match=message):
        client.submit(api_name="/recommend", description=SPEECH, **kwargs).result(timeout=LIMIT_S)


def test_nan_top_k_over_raw_http_is_a_notice(app_url):
    data = list(DEFAULTS)
    data[9], data[10] = float("nan"), False          # every modality: more than DEFAULT_TOP_K models
    table, status, _csv, _link = raw_result(app_url, data)
    assert len(table["data"]) == DEFAULT_TOP_K and "is not a number" in status


def test_malformed_requests_end_without_a_traceback(app_url, client):
    for body in ['{"data": ["only a description"]}', '{"data": "not a list"}', "not json",
                 json.dumps({"data": [*DEFAULTS[:9], "abc", True, ""]})]:
        code, text = raw_call(app_url, body)
        assert (code == 422 or "event: error" in text) and "Traceback" not in text, (body, code, text[:200])
    still_serving(client)


def test_two_identical_requests_at_once(client):
    jobs = [client.submit(api_name="/recommend", description=SPEECH + " twice", top_k=15) for _ in range(2)]
    (t1, s1, _, l1), (t2, s2, _, l2) = (j.result(timeout=LIMIT_S) for j in jobs)
    assert t1 == t2 and s1 == s2 and l1 == l2 and len(t1["data"]) == 12   # the 12 speech models


# ----------------------------------------------------------------------------- link parameters
KNOWN = dict(known_tasks=["automatic-speech-recognition"], known_metrics=["wer", "accuracy"],
             known_modalities=["speech", "text"])


@pytest.mark.parametrize("qp,expected,note", [
    ({"task": "<script>x</script>"}, {}, "unknown task"),
    ({"size": "huge"}, {}, "expected one of"),
    ({"open_weights": "maybe"}, {}, "expected 1 or 0"),
    ({"top_k": "abc"}, {}, "not a whole number"),
    ({"top_k": "0"}, {}, "between 1 and"),
    ({"top_k": "1e9"}, {}, "not a whole number"),
    ({"modalities": "speech,smell"}, {"modalities": ["speech"]}, "unknown modality"),
    ({"description": "a\x00b\ud800c"}, {"description": "a b?c"}, None),
    ({"metric": "WER"}, {"metric": "wer"}, None),
    ({"subset": "hin_Deva-eng_Latn\x00"}, {"subset": "hin_Deva-eng_Latn"}, None),
    ({"__theme": "dark", "utm_source": "x"}, {}, None),
])
def test_malformed_link_parameters_are_ignored_with_a_notice(qp, expected, note):
    values, notes = parse_query(qp, **KNOWN)
    assert values == expected
    assert (note is None and notes == []) or (note and any(note in n for n in notes)), notes


def test_huge_link_parameters_are_bounded():
    values, notes = parse_query({"description": "d" * 1_000_000, "families": ",".join(["f"] * 10_000),
                                 "task": "t" * 100_000}, **KNOWN)
    assert len(values["description"]) == 4000 and len(values["families"]) == 50
    assert notes and all(len(n) < 300 for n in notes)


def test_a_subset_travels_in_the_link_and_an_unknown_one_gets_a_notice(client):
    rows, status, link = predict(client, description=SPEECH, subset="zzzqqq")
    assert rows and "zzzqqq" in status
    assert parse_qs(urlsplit(link).query)["subset"] == ["zzzqqq"]
    plain, _, plain_link = predict(client, description=SPEECH)
    assert [r["model"] for r in plain] == [r["model"] for r in rows] and "subset" not in plain_link
