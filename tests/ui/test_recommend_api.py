"""The named endpoints (/recommend, /pool, /profile) through gradio_client against the running app."""
import pytest
from gradio_client import Client

SPEECH = "Speech recognition benchmark: English audiobook recordings transcribed to text."


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False, download_files=False)


def rows(table: dict) -> list[dict]:
    return [dict(zip(table["headers"], r)) for r in table["data"]]


def test_only_named_endpoints_are_public(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/recommend", "/pool", "/profile"} <= names
    assert not any(n.startswith("/recommend_") or n.startswith("/load_example") for n in names)


def test_speech_description_ranks_speech_models_first(client):
    table, status, csv, link = client.predict(description=SPEECH, api_name="/recommend")
    r = rows(table)
    assert len(r) == 12 and [x["rank"] for x in r] == list(range(1, 13))
    mods = [x["modality"] for x in r]
    assert mods[0] == "speech" and set(mods) == {"speech"}   # every speech model before any text-only one
    assert "automatic\\-speech\\-recognition" in status or "automatic-speech-recognition" in status
    assert "inferred" in status and "speech models only" in status
    assert link.startswith("http://127.0.0.1:") and "description=Speech%20recognition" in link
    # without the modality rule every model is ranked; the task is still inferred as speech recognition
    table, status, *_ = client.predict(description=SPEECH, fit_modality=False, top_k=200, api_name="/recommend")
    assert {x["modality"] for x in rows(table)} == {"speech", "text", "vision"}


def test_size_filter_removes_larger_models(client):
    table, *_ = client.predict(description=SPEECH, size="gpu8", include_unknown_size=False, api_name="/recommend")
    sizes = [float(x["params"].rstrip("B")) for x in rows(table)]
    assert sizes and max(sizes) <= 8 and len(sizes) == 8      # 12 speech models, 4 of them above 8B


def test_unknown_candidate_is_flagged_unseen(client):
    table, status, *_ = client.predict(description=SPEECH, candidates="speech/whisp-2b-v1\nnewlab/mystery-asr-3b",
                                       api_name="/recommend")
    r = {x["model"]: x for x in rows(table)}
    assert set(r) == {"speech/whisp-2b-v1", "newlab/mystery-asr-3b"}
    assert r["newlab/mystery-asr-3b"]["unseen"] == "unseen" and r["speech/whisp-2b-v1"]["unseen"] == ""
    assert r["newlab/mystery-asr-3b"]["params"] == "3B"
    assert "not in the catalog" in status


def test_empty_description_gives_a_message_not_a_crash(client):
    table, status, csv, link = client.predict(description="   ", api_name="/recommend")
    assert table["data"] == [] and "describe your dataset" in status.lower()
    # HTML in the description comes back escaped in the status, never as markup
    table, status, *_ = client.predict(description="<img src=x onerror=alert(1)> speech", task="<b>x</b>",
                                       api_name="/recommend")
    assert "<img" not in status


def test_pool_endpoint(client):
    table, status = client.predict(description=SPEECH, pool="speech/whisp-4b-v2\nspeech/whisp-16b-v4",
                                   tolerance=0.5, api_name="/pool")
    r = rows(table)
    assert [x["current"] for x in r] == ["speech/whisp-4b-v2", "speech/whisp-16b-v4"]
    assert all(x["gain"] >= 0 for x in r) and "size window ±50%" in status
    table, status = client.predict(description=SPEECH, pool="", api_name="/pool")
    assert table["data"] == [] and "pool is empty" in status


def test_profile_endpoint(client):
    plot, facts, observed, status = client.predict(models=["speech/whisp-4b-v2", "vis/vit-8b-v3"],
                                                   api_name="/profile")
    assert plot["type"] == "plotly" and "whisp-4b-v2" in plot["plot"] and "vit-8b-v3" in plot["plot"]
    assert [x["model"] for x in rows(facts)] == ["speech/whisp-4b-v2", "vis/vit-8b-v3"]
    obs = rows(observed)
    assert len(obs) == 4 + 6 and {x["source"] for x in obs} == {"asrboard", "visboard"}
    plot, facts, observed, status = client.predict(models=["no/such-model"], api_name="/profile")
    assert plot is None and facts["data"] == [] and "not in the catalog" in status


def test_unknown_task_and_modality_are_notices(client):
    table, status, *_ = client.predict(description=SPEECH, task="bogus-task", modalities=["smell"],
                                       api_name="/recommend")
    assert rows(table) and "Unknown task" in status and "Unknown modality ignored" in status
