"""The demo's HTML report in a real browser: Debian's Chromium, headless, driven by Playwright's Python
package (never ``playwright install``: it would download a browser).

``llm-tco demo`` writes the report; a second report adds a workload named ``<img src=x onerror=alert(1)>``
to the demo's store and renders ``plan --html``. Each page is opened once with every request routed
through the test: the page's own file is served, anything else is refused and recorded. The tests fail on
any console error, any request other than the page, any ``http(s)://`` in a ``src`` or ``href``, a chart
without a drawn SVG, a dialog, or a page that does not print to PDF. A screenshot and the PDF are saved
under ``test-artifacts/`` (or ``$LLM_TCO_TEST_ARTIFACTS``) for review.

Without Chromium or Playwright these tests are skipped, unless ``LLM_TCO_REQUIRE_BROWSER=1`` (set by
``.ci/run``), when they fail.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("LLM_TCO_TEST_ARTIFACTS") or ROOT / "test-artifacts")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMG = "<img src=x onerror=alert(1)>"


def _browser_or_skip() -> Any:
    """Playwright's sync API, or skip (fail when the browser is required)."""
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        problems.append("the playwright package is not installed (pip install -e '.[dev]')")
    if problems:
        message = "; ".join(problems)
        if os.environ.get("LLM_TCO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("plotly", reason="the HTML report embeds the plotly package's JavaScript")
    return sync_api


def _run(cwd: Path, *args: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LLM_TCO_DB",)}
    env.update(
        LLM_TCO_NOW="2026-11-25T12:00:00Z",
        LLM_TCO_PRICES_FILE="/nonexistent/llm-tco-test-prices.json",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "llm_tco.cli.main", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


class _Attributes(HTMLParser):
    """Every ``src`` and ``href`` attribute value of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links.extend(v or "" for k, v in attrs if k.split(":")[-1] in ("src", "href"))


@dataclass
class Visit:
    """What happened while a report was open."""

    path: Path
    page: Any
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reports:
    demo: Path
    demo_stderr: str
    hostile: Path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    _browser_or_skip()
    folder = tmp_path_factory.mktemp("browser")
    demo = _run(folder, "demo", "--dir", "llm-tco-demo")
    hostile_csv = folder / "hostile.csv"
    with hostile_csv.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["request_id", "timestamp", "provider", "model", "prompt_tokens", "completion_tokens", "workload"]
        )
        for i in range(1, 10):
            writer.writerow([f"x{i}", f"2026-10-0{i}T10:00:00Z", "openai", "gpt-4o", 5000, 500, IMG])
    store = folder / "llm-tco-demo" / "demo.duckdb"
    _run(folder, "audit", hostile_csv, "--db", store)
    _run(folder, "plan", "--db", store, "--html", "hostile.html")
    return Reports(
        demo=folder / "llm-tco-demo" / "report.html", demo_stderr=demo.stderr, hostile=folder / "hostile.html"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = _browser_or_skip()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _visit(browser: Any, path: Path) -> Visit:
    context = browser.new_context(viewport={"width": 1200, "height": 1600})
    page = context.new_page()
    visit = Visit(path=path, page=page)
    own = path.resolve().as_uri()

    def route(route: Any) -> None:
        url = route.request.url
        visit.requests.append(url)
        if url == own:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))

    def dialog(d: Any) -> None:
        visit.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(own, wait_until="load")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.chart')).every(c => c.querySelector('svg.main-svg'))",
        timeout=60_000,
    )
    return visit


@pytest.fixture(scope="module")
def demo_visit(browser: Any, reports: Reports) -> Visit:
    return _visit(browser, reports.demo)


@pytest.fixture(scope="module")
def hostile_visit(browser: Any, reports: Reports) -> Visit:
    return _visit(browser, reports.hostile)


def test_the_demo_writes_the_report_and_says_where(reports: Reports) -> None:
    assert reports.demo.is_file() and reports.demo.stat().st_size > 1_000_000  # plotly.js is inline
    assert "llm-tco-demo/report.html" in reports.demo_stderr


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_no_console_error_and_no_request_but_the_page(which: str, request: pytest.FixtureRequest) -> None:
    visit: Visit = request.getfixturevalue(f"{which}_visit")
    assert visit.console_errors == []
    assert visit.requests == [visit.path.resolve().as_uri()]
    assert visit.dialogs == []


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_no_src_or_href_points_to_the_network(which: str, request: pytest.FixtureRequest) -> None:
    visit: Visit = request.getfixturevalue(f"{which}_visit")
    # after the charts are drawn: Plotly's SVG included (xlink:href too)
    values: list[str] = visit.page.evaluate(
        """() => Array.from(document.querySelectorAll('*')).flatMap(el =>
               Array.from(el.attributes).filter(a => /(^|:)(src|href)$/i.test(a.name)).map(a => a.value))"""
    )
    assert [v for v in values if re.search(r"https?://", v, re.IGNORECASE)] == []
    # and in the file as written (its attributes, not the text of its scripts)
    parser = _Attributes()
    parser.feed(visit.path.read_text(encoding="utf-8"))
    assert parser.links and [v for v in parser.links if re.search(r"https?://", v, re.IGNORECASE)] == []


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_every_chart_is_drawn(which: str, request: pytest.FixtureRequest) -> None:
    visit: Visit = request.getfixturevalue(f"{which}_visit")
    specs = json.loads(visit.page.eval_on_selector("#llm-tco-charts", "el => el.textContent"))
    drawn: list[dict[str, Any]] = visit.page.evaluate(
        """() => Array.from(document.querySelectorAll('.chart')).map(c => {
               const svg = c.querySelector('svg.main-svg');
               const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
               const marks = c.querySelectorAll('g.trace path');
               const drawnMarks = Array.from(marks).filter(p => (p.getAttribute('d') || '').length > 2);
               return {id: c.id, width: box.width, height: box.height, marks: drawnMarks.length};
           })"""
    )
    assert [d["id"] for d in drawn] == [s["id"] for s in specs]
    for chart in drawn:
        assert chart["width"] > 200 and chart["height"] > 100, chart
        assert chart["marks"] > 0, chart
    ids = {d["id"] for d in drawn}
    assert {"chart-spend-over-time", "chart-cost-per-million", "chart-cumulative-0", "chart-breakdown"} <= ids


def test_a_hostile_workload_name_shows_as_text(hostile_visit: Visit) -> None:
    page = hostile_visit.page
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert IMG in page.inner_text("#portfolio")
    # in the charts too: Plotly shows the name's characters (a legend entry, an axis label)
    svg_texts: list[str] = page.evaluate(
        "Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)"
    )
    assert IMG in svg_texts
    assert hostile_visit.dialogs == []


def test_the_report_prints_to_pdf_and_is_saved_for_review(demo_visit: Visit) -> None:
    page = demo_visit.page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "report_screenshot.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000
    page.emulate_media(media="print")
    pdf: bytes = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 3, pages  # the summary, the charts and the tables do not fit one A4 page
    # printing kept the charts (the print style hides the table of contents only)
    assert page.evaluate("document.querySelectorAll('.chart svg.main-svg').length") > 0
    assert demo_visit.console_errors == []
