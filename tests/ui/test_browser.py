"""The page in a real browser (system Chromium driven by Playwright): examples run, every tab
renders, tables read at 1440 px (no header or number broken mid-word), only a model name opens
the model profile, shareable links fill the inputs, and nothing is
requested from outside the app. Saves one screenshot per tab (see SHOTS)."""
from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import expect, sync_playwright

from modellens_core.ui import TABS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# screenshots of the fixture app go to a temporary folder (or $MODELLENS_SCREENSHOTS); the README's
# screenshots of the real app are taken by benchmarks/screenshots.py with the same browser flow
SHOTS = Path(os.environ.get("MODELLENS_SCREENSHOTS") or Path(tempfile.gettempdir()) / "modellens-screenshots")
TIMEOUT = 30_000  # ms; a ranking takes well under a second, the first page load a few
STATUS_DONE = "(document.querySelector('#recommend-status') || {innerText: ''}).innerText.includes(%r)"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh page that records every request leaving the app's own origin."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.external = []
    own = app_url.rstrip("/")
    pg.on("request", lambda r: None if r.url.startswith((own, "data:", "blob:")) else pg.external.append(r.url))
    pg.set_default_timeout(TIMEOUT)
    yield pg
    context.close()


def present_tabs() -> list[str]:
    """Titles of the tabs whose module exists (the app skips a missing one)."""
    return [title for title, mod in TABS if importlib.util.find_spec(f"modellens_core.ui.{mod}") is not None]


def open_tab(page, title: str):
    page.get_by_role("tab", name=title, exact=True).click()
    expect(page.get_by_role("tab", name=title, exact=True)).to_have_attribute("aria-selected", "true")
    return page.get_by_role("tabpanel").filter(visible=True)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def table_models(page) -> list[str]:
    """Model names in the results table's rendered rows (the table is virtualised: rows far below the
    fold may not be in the DOM)."""
    cells = page.locator('#recommend-table [role=gridcell][data-col="1"]')
    return [cells.nth(i).inner_text().strip() for i in range(cells.count())]


# Words of each element that the browser laid out on more than one line (a mid-word break), and
# elements whose text is cut off (wider than the box): [(text, why)]
MID_WORD_JS = """(sel) => {
  const bad = [];
  for (const el of document.querySelectorAll(sel)) {
    if (!el.getClientRects().length) continue;           // not laid out (hidden sizing rows)
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (const m of text.matchAll(/\\S+/g)) {
        const r = document.createRange();
        r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (tops.size > 1) bad.push([text, 'word ' + m[0] + ' split over lines']);
      }
    }
    if (el.scrollWidth > el.clientWidth + 1) bad.push([el.innerText, 'cut off']);
  }
  return bad;
}"""


def assert_no_mid_word_wraps(page, table_id: str, numeric_cols) -> int:
    """Every header of the table and every rendered cell of its numeric columns is whole; returns
    how many elements were checked."""
    header = f"#{table_id} th.header-cell span"
    cells = ", ".join(f"#{table_id} [role=gridcell][data-col='{i}'] span" for i in numeric_cols)
    bad = page.evaluate(MID_WORD_JS, header) + page.evaluate(MID_WORD_JS, cells)
    assert bad == [], f"{table_id}: {bad}"
    return page.locator(header).count() + page.locator(cells).count()


def test_example_tabs_and_row_to_profile(page, app_url):
    page.goto(app_url)
    tabs = present_tabs()
    assert {"Recommend", "Model profile"} <= set(tabs)
    for title in tabs:
        expect(page.get_by_role("tab", name=title, exact=True)).to_be_visible()

    page.get_by_text("Speech recognition benchmark").first.click()   # an example: fills and runs
    page.wait_for_function(STATUS_DONE % "Showing 12 model(s)")
    assert "Speech recognition benchmark" in page.input_value("#recommend-description textarea")
    assert "automatic-speech-recognition" in page.inner_text("#recommend-status")
    models = table_models(page)
    assert len(models) >= 5 and all(m.startswith("speech/") for m in models)
    assert "description=Speech%20recognition" in page.input_value("#share-link textarea")
    expect(page.get_by_role("button", name="Download CSV")).to_be_visible()
    shot(page, "recommend")

    # tables that read at 1440 px: at most 10 columns, no header or number broken mid-word
    from modellens_core.ui.tables import NUMERIC_COLUMNS, RESULT_COLUMNS
    headers = page.locator("#recommend-table th.header-cell").all_inner_texts()
    assert [h.strip() for h in headers] == RESULT_COLUMNS and len(headers) <= 10
    assert assert_no_mid_word_wraps(page, "recommend-table", NUMERIC_COLUMNS["recommend-table"]) >= 9 + 3 * 5
    right = page.evaluate("[...document.querySelectorAll('#recommend-table th.header-cell')].map("
                          "e => e.getBoundingClientRect().right)")
    assert max(right) <= page.locator("#recommend-table").bounding_box()["x"] + \
        page.locator("#recommend-table").bounding_box()["width"] + 1       # no sideways scrolling
    page.locator("#recommend-table").scroll_into_view_if_needed()
    page.locator("#recommend-status").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "recommend-1440.png"))           # the viewport: 1440 x 1000
    page.locator("#recommend-all-columns input").check()               # redrawn from the last answer
    expect(page.locator("#recommend-table th.header-cell")).to_have_count(len(RESULT_COLUMNS) + 2)
    assert_no_mid_word_wraps(page, "recommend-table", NUMERIC_COLUMNS["recommend-table"])
    page.locator("#recommend-all-columns input").uncheck()
    expect(page.locator("#recommend-table th.header-cell")).to_have_count(len(RESULT_COLUMNS))

    # the pool builder's table: numbers whole, the note wrapped at spaces, never cut off
    page.get_by_text("Pool builder: upgrade the models you route between").click()
    page.get_by_label("Current pool (one model per line)").fill("speech/whisp-4b-v2\nnewlab/unknown-size-asr")
    page.get_by_role("button", name="Propose replacements").click()
    expect(page.locator("#pool-status")).to_contain_text("size window")
    expect(page.locator("#pool-table [role=gridcell]").first).to_be_visible()
    assert_no_mid_word_wraps(page, "pool-table", [*NUMERIC_COLUMNS["pool-table"], 7])

    for title, name in (("Atlas", "atlas"), ("Priors", "priors"), ("Transferability", "transferability")):
        if title not in tabs:
            continue
        panel = open_tab(page, title)
        if title in ("Atlas", "Priors"):   # both draw plotly figures as soon as they are opened
            expect(panel.locator(".js-plotly-plot").first).to_be_visible()
        if title == "Atlas":   # the fixture built it: the maps, not the "not built" message
            expect(panel.locator(".js-plotly-plot")).to_have_count(3)
            assert "not built" not in panel.inner_text()
        assert len(panel.inner_text().strip()) > 50
        shot(page, name)

    # only a model name opens the Model profile tab (with that model picked and drawn): a click on
    # the second row's evidence or score does nothing (waited for: the server's answer to the click)
    open_tab(page, "Recommend")
    for col in (RESULT_COLUMNS.index("evidence"), RESULT_COLUMNS.index("predicted z")):
        with page.expect_response(lambda r: "/gradio_api/" in r.url and r.request.method == "POST"):
            page.locator(f'#recommend-table [data-testid="cell-1-{col}"]').click()
        expect(page.get_by_role("tab", name="Recommend", exact=True)).to_have_attribute("aria-selected", "true")
    page.locator('#recommend-table [data-testid="cell-0-1"]').click()
    expect(page.get_by_role("tab", name="Model profile", exact=True)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#profile-picker")).to_contain_text(models[0])
    expect(page.locator("#profile-picker")).not_to_contain_text(models[1])
    expect(page.locator("#profile-plot .js-plotly-plot")).to_be_visible()
    expect(page.locator("#profile-status")).to_contain_text("Profiles of")
    expect(page.locator("#profile-observed [role=gridcell]").first).to_be_visible()
    assert_no_mid_word_wraps(page, "profile-observed", NUMERIC_COLUMNS["profile-observed"])
    shot(page, "profile")
    assert page.external == [], f"requests left the app: {page.external}"


def test_shareable_link_fills_inputs_and_runs(page, app_url):
    query = urlencode({"description": "Transcribe English speech from phone calls", "size": "gpu8",
                       "unknown_size": "0", "top_k": "5", "task": "automatic-speech-recognition"}, quote_via=quote)
    page.goto(f"{app_url}?{query}")
    page.wait_for_function(STATUS_DONE % "Showing 5 model(s)")
    assert page.input_value("#recommend-description textarea") == "Transcribe English speech from phone calls"
    assert page.locator("#recommend-size input[type=radio]:checked").get_attribute("value") == "gpu8"
    assert page.locator("#recommend-topk input[type=number]").input_value() == "5"
    status = page.inner_text("#recommend-status")
    assert "Task: automatic-speech-recognition ·" in status and "≤ 8B" in status   # given, not inferred
    assert len(table_models(page)) == 5
    assert page.external == []


def test_malformed_link_parameters_are_ignored_with_a_notice(page, app_url):
    page.goto(f"{app_url}?description=photos%20of%20birds&top_k=lots&size=huge&open_weights=maybe"
              "&task=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    page.wait_for_function(STATUS_DONE % "Showing")
    status = page.inner_text("#recommend-status")
    for key in ("top_k", "size", "open_weights", "task"):
        assert f"Ignored the link parameter '{key}'" in status
    assert page.locator("#recommend-size input[type=radio]:checked").get_attribute("value") == "any"
    assert page.locator("#recommend-status script").count() == 0
    # user text reaches the page as text: a candidate name full of HTML stays a literal string
    evil = '<img src="x" onerror="window.pwned=1">-3b'
    page.goto(f"{app_url}?" + urlencode({"description": "photos of birds", "candidates": evil}, quote_via=quote))
    page.wait_for_function(STATUS_DONE % "Showing 1 model(s)")
    assert table_models(page) == [evil]
    assert page.locator("#recommend-table img, #recommend-status img").count() == 0
    assert page.evaluate("window.pwned === undefined")
    # no description: the inputs stay empty and nothing runs, without an error
    page.goto(f"{app_url}?top_k=7")
    expect(page.locator("#recommend-topk input[type=number]")).to_have_value("7")
    assert page.input_value("#recommend-description textarea") == ""
    assert page.locator(".toast-body.error").count() == 0


def test_priors_enter_profile_search_and_upload_replace(page, app_url, tmp_path):
    """Families shown answers Enter; the profile search finds any catalog model as you type and a
    click profiles it; a new upload replaces the previous files unless 'add' is ticked."""
    import numpy as np
    page.goto(app_url)
    tabs = present_tabs()
    if "Priors" in tabs:
        open_tab(page, "Priors")
        rows_js = ("(document.querySelector('#priors-family .js-plotly-plot') || {data: [{y: []}]})"
                   ".data[0].y.length")
        page.wait_for_function(rows_js + " > 2")
        box = page.locator("#priors-top input")
        box.fill("2")
        box.press("Enter")
        page.wait_for_function(rows_js + " === 2")
    open_tab(page, "Model profile")
    page.locator("#profile-search input, #profile-search textarea").first.press_sequentially("vit 8b v3", delay=20)
    expect(page.locator("#profile-matches")).to_contain_text("vis/vit-8b-v3")
    page.locator("#profile-matches label", has_text="vis/vit-8b-v3").first.click()
    expect(page.locator("#profile-picker")).to_contain_text("vis/vit-8b-v3")
    expect(page.locator("#profile-status")).to_contain_text("Profiles of")
    if "Transferability" not in tabs:
        return
    open_tab(page, "Transferability")
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip")
    good = tmp_path / "vis__resnet-1b-v0.npz"
    np.savez(good, features=np.random.default_rng(0).normal(size=(20, 3)), labels=np.arange(20) % 2)
    upload = page.locator("#transfer-files input[type=file]")
    upload.set_input_files(str(bad))
    expect(page.locator("#transfer-files")).to_contain_text("broken.npz")
    upload.set_input_files(str(good))
    expect(page.locator("#transfer-files")).to_contain_text("vis__resnet-1b-v0.npz")
    expect(page.locator("#transfer-files")).not_to_contain_text("broken.npz")     # replaced, not added
    assert page.external == []
