"""Screenshots of every tab of the real app (shipped assets and checkpoint) for the README.

    python benchmarks/screenshots.py [--out assets/screenshots]

Starts ``python app.py`` offline on a free port of 127.0.0.1, drives Debian's Chromium
(``apt-get install -y chromium``; Playwright's own browsers are not used) at a 1400x1000 viewport
and writes full-page recommend.png, atlas.png, priors.png, profile.png and transferability.png: the first
example ranked, the atlas and prior plots drawn, three of its top-ranked models profiled (short
names first, for a readable legend), Transferability as it opens. The app is stopped whatever
happens (its whole process group).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from common import ROOT, app_env, free_port, start_app, stop_app, tail, wait_for_client

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu"]
TIMEOUT_MS = 60_000        # the machine may be loaded: be generous
SETTLE_MS = 1_500          # plotly relayouts and Gradio's fade-ins after the last wait
EXAMPLE = "Speech recognition benchmark"
STATUS_DONE = "(document.querySelector('#recommend-status') || {innerText: ''}).innerText.includes('Showing')"
PROFILED = 3               # top models of the Recommend table shown in Model profile...
SHORT_NAME = 40            # ...preferring names that fit a picker chip and a legend line


def open_tab(page, title: str):
    """Select the tab titled ``title``; its (visible) tabpanel."""
    tab = page.get_by_role("tab", name=title, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    return page.get_by_role("tabpanel").filter(visible=True)


def wait_plots(page, panel, n: int) -> None:
    """At least ``n`` drawn plotly figures in ``panel``, then a short settle."""
    expect(panel.locator(".js-plotly-plot").nth(n - 1)).to_be_visible()
    page.wait_for_timeout(SETTLE_MS)


def shoot(page, out: Path, name: str, written: list) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    written.append(path)


def pick_models(page, models: list[str]) -> None:
    """Type each model into the Model profile picker and choose it (the exact option if listed)."""
    box = page.locator("#profile-picker input").first
    for m in models:
        box.fill(m)
        option = page.get_by_role("option", name=m, exact=True)
        if option.count():
            option.first.click()
        else:   # not among the listed choices: the picker accepts any catalog name
            box.press("Enter")
    box.press("Escape")


def capture(url: str, out: Path) -> list[Path]:
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.goto(url)
            page.get_by_text(EXAMPLE).first.click()          # an example fills the inputs and ranks
            page.wait_for_function(STATUS_DONE)
            cells = page.locator('#recommend-table [role=gridcell][data-col="1"]')
            expect(cells.first).to_be_visible()
            ranked = [cells.nth(i).inner_text().strip() for i in range(cells.count())]   # rendered rows
            models = sorted(ranked, key=lambda m: len(m) > SHORT_NAME)[:PROFILED]       # stable: rank order
            page.wait_for_timeout(SETTLE_MS)
            shoot(page, out, "recommend", written)

            for title, name, plots in (("Atlas", "atlas", 3), ("Priors", "priors", 2)):
                wait_plots(page, open_tab(page, title), plots)   # both draw their figures when first opened
                shoot(page, out, name, written)

            panel = open_tab(page, "Model profile")
            pick_models(page, models)
            panel.get_by_role("button", name="Show profile").click()
            expect(page.locator("#profile-status")).to_contain_text(models[-1])
            wait_plots(page, panel, 1)
            shoot(page, out, "profile", written)

            panel = open_tab(page, "Transferability")
            expect(panel.get_by_role("button", name="Score and fuse")).to_be_visible()
            page.wait_for_timeout(SETTLE_MS)
            shoot(page, out, "transferability", written)
        finally:
            browser.close()
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "assets" / "screenshots", help="folder of the PNGs")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="modellens-screenshots-")) / "app.log"
    t0 = time.perf_counter()
    proc = start_app(app_env(port), log)
    try:
        wait_for_client(f"http://127.0.0.1:{port}/", proc, 180)  # the app answers: it serves the page
        written = capture(f"http://127.0.0.1:{port}/", args.out)
    except Exception as exc:
        print(f"screenshots failed: {exc}\n--- app log (last lines) ---\n{tail(log)}")
        raise SystemExit(1) from None
    finally:
        stop_app(proc)
    for path in written:
        print(path)
    print(f"{len(written)} screenshots in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
