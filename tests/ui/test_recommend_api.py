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
    unit = {"K": 1e-6, "M": 1e-3, "B": 1.0, "T": 1e3}
    sizes = [float(x["params"][:-1]) * unit[x["params"][-1]] for x in rows(table)]
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
    assert all(round(x["gain"], 2) == x["gain"] for x in r)                      # 2 decimals
    assert all(x["current size"][-1] in "KMBT" for x in r)                      # "4B", not "4.0"
    table, status = client.predict(description=SPEECH, pool="", api_name="/pool")
    assert table["data"] == [] and "pool is empty" in status


def test_profile_endpoint(client):
    plot, facts, observed, status = client.predict(models=["speech/whisp-4b-v2", "vis/vit-8b-v3"],
                                                   api_name="/profile")
    assert plot["type"] == "plotly" and "whisp-4b-v2" in plot["plot"] and "vit-8b-v3" in plot["plot"]
    assert [x["model"] for x in rows(facts)] == ["speech/whisp-4b-v2", "vis/vit-8b-v3"]
    obs = rows(observed)
    assert len(obs) == 4 + 6 and {x["source"] for x in obs} == {"asrboard", "visboard"}
    assert all(x["z"] is None or round(x["z"], 2) == x["z"] for x in obs)
    plot, facts, observed, status = client.predict(models=["no/such-model"], api_name="/profile")
    assert plot is None and facts["data"] == [] and "not in the catalog" in status


def test_unknown_task_and_modality_are_notices(client):
    table, status, *_ = client.predict(description=SPEECH, task="bogus-task", modalities=["smell"],
                                       api_name="/recommend")
    assert rows(table) and "Unknown task" in status and "Unknown modality ignored" in status


def test_table_reads_default_columns_all_columns_and_csv(client):
    """At most 10 columns by default, scores to 2 decimals, sizes as "7B"/"86M"; every column (the
    prior and residual too) in the CSV (the page's "All columns" view: see the browser test)."""
    import csv

    from modellens_core.ui.tables import ALL_RESULT_COLUMNS, RESULT_COLUMNS
    table, status, path, _ = client.predict(description=SPEECH, api_name="/recommend")
    assert table["headers"] == RESULT_COLUMNS and len(RESULT_COLUMNS) <= 10
    r = rows(table)
    assert all(isinstance(x["predicted z"], float) and round(x["predicted z"], 2) == x["predicted z"] for x in r)
    assert all(x["params"] == "" or (x["params"][-1] in "KMBT" and len(x["params"]) <= 5) for x in r)
    assert "click a model's name" in status
    with open(path["path"] if isinstance(path, dict) else path, newline="", encoding="utf-8") as f:   # same machine
        lines = list(csv.reader(f))
    assert lines[0] == ALL_RESULT_COLUMNS and len(lines) == len(r) + 1
    wide = [dict(zip(lines[0], x)) for x in lines[1:]]
    assert [x["model"] for x in wide] == [x["model"] for x in r]
    assert all(len(x["residual"].lstrip("'").split(".")[-1]) <= 2 for x in wide)      # 2 decimals


@pytest.mark.parametrize("billions,shown", [(7, "7B"), (7.57, "7.6B"), (0.086, "86M"), (0.0871, "87M"),
                                            (1210, "1.2T"), (0.35, "350M"), (13.4, "13B"), (175, "175B"),
                                            (0.9996, "1B"), (0.09996, "100M"), (None, ""), (float("nan"), ""),
                                            (0.00012, "120K"), (0, "0")])
def test_fmt_params_for_people(billions, shown):
    from modellens_core.ui.tables import fmt_params
    assert fmt_params(billions) == shown


def test_all_columns_view_reads_back_the_csv():
    """The page's "All columns" view is the answer's CSV read back: same values and types."""
    from modellens_core.ui.tables import ALL_RESULT_COLUMNS, narrow, results_from_csv, write_csv
    full = {"headers": ALL_RESULT_COLUMNS,
            "data": [[1, "=cmd|x", -0.22, "2B", "f", "text", "", "a (z=+1.00)", "unseen", 0.5, -0.06],
                     [2, "org/m", 0.1, "", "", "text", "81.2 acc", "", "", None, 0.0]]}
    path = write_csv(full)
    assert results_from_csv(path) == full
    assert narrow(full)["headers"] == ALL_RESULT_COLUMNS[:9]
    assert results_from_csv("/etc/passwd") is None and results_from_csv(None) is None
