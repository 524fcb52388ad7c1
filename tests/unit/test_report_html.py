"""The HTML report rendered from hand-built documents: names from logs are inert everywhere (element text,
attributes, the JSON inside ``<script>``, Plotly's labels), nothing is loaded by URL, the summary's
figures are the documents' (worked out here by hand), sections appear only when their data is there, and
the assumptions appendix gives each value's unit and source. The page in a real browser is tested in
``tests/integration/test_report_browser.py``."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from _html_fixtures import audit, lines, option, plan, totals, workload

from llm_tco.plan.doc import ForcedChange, Option, PlanDocument, Recommendation
from llm_tco.plan.uncertainty.document import Sensitivity, TornadoBar
from llm_tco.report.html import render_html
from llm_tco.report.html.markup import json_for_script

pytest.importorskip("plotly", reason="the HTML report embeds the plotly package's JavaScript")

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
QUOTES = "a&b \"q\" 'x' <!-- c"


_BLOCKS = {"td", "th", "tr", "p", "li", "h1", "h2", "h3", "div", "caption", "figcaption"}
"""Elements whose text is read as separate words (a table's cells, a list's items)."""


class _Page(HTMLParser):
    """Start tags with their attributes, the text outside scripts, and each script's content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))
        elif tag in _BLOCKS:
            self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in_script = None
        elif tag in _BLOCKS:
            self.text.append(" ")

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, content = self.scripts[-1]
            self.scripts[-1] = (attrs, content + data)
        else:
            self.text.append(data)

    @property
    def plain(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _charts(parsed: _Page) -> list[dict[str, Any]]:
    blob = next(c for a, c in parsed.scripts if a.get("id") == "llm-tco-charts")
    charts: list[dict[str, Any]] = json.loads(blob)
    return charts


def _two_workloads(names: tuple[str, str] = ("alpha", "beta")) -> PlanDocument:
    """``alpha`` moves to a cheaper API (3 months: stay 100+100+100 = 300, API 40+40+40 = 120: saves 180);
    ``beta`` is forced to self-host (stay 10+10+10 = 30, self-hosted 500+200+200 = 900: costs 870 more)."""
    a, b = names
    stay_a = option(
        "stay", "closed-api", "gpt-4o-mini", [100, 100, 100], provider="openai", cost_per_million=3
    )
    api_a = option(
        "open-api:x:m",
        "open-api",
        "<b>open</b>-model",
        [40, 40, 40],
        provider="novita",
        cost_per_million=1.2,
        horizon_lines=lines(tokens_usd=120),
        cls=Recommendation,
    )
    stay_b = option("stay", "closed-api", "gpt-4o-mini", [10, 10, 10], provider="openai", cost_per_million=2)
    hosted_b = option(
        "self-hosted:m:h100",
        "self-hosted",
        "llama",
        [500, 200, 200],
        cost_per_million=90,
        horizon_lines=lines(gpus_usd=600, staff_usd=300),
        cls=Recommendation,
    )
    return plan(
        [
            workload(a, [stay_a, api_a], api_a),
            workload(b, [stay_b, hosted_b], hosted_b, payback_month=2),
        ],
        totals(
            current_monthly=110,
            recommended_monthly=540,
            current_horizon=330,
            recommended_horizon=1020,
            forced=[ForcedChange(workload=b, horizon_cost_change_usd=Decimal(870), reason="air-gapped")],
            optional=-180,
        ),
        assumptions={"owned.pue": 1.58, "staffing.platform_fte": 2.0, "made.up": 7},
    )


def test_json_for_script_encodes_the_characters_that_could_end_the_element() -> None:
    value = {"name": "</script><!-- & \u2028"}
    text = json_for_script(value)
    assert not set("<>&") & set(text)
    assert "\u2028" not in text
    assert json.loads(text) == value


def test_hostile_names_are_text_everywhere() -> None:
    doc = _two_workloads((IMG, SCRIPT))
    page = render_html(audit({IMG: 2.0, QUOTES: 1.0}, quarantine=[(QUOTES, 3, SCRIPT)]), doc)
    parsed = _parse(page)

    # no element came from a name: the only scripts are the page's three, and there is no image at all
    scripts = [a.get("id") for a, _ in parsed.scripts if a is not None]
    assert [t for t, _ in parsed.tags if t == "script"] == ["script"] * 3
    assert scripts == [None, "llm-tco-charts", None, None]  # the style sheet, then the three scripts
    assert not [t for t, _ in parsed.tags if t == "img"]
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]
    # each name reads as typed in the page's text (the parser decodes the entities back)
    for name in (IMG, SCRIPT, QUOTES):
        assert name in parsed.plain
    assert "<b>open</b>-model" in parsed.plain  # a model name with tags, in the portfolio table

    # the charts' JSON: no character that could end the script element, and Plotly gets entities for
    # the tag characters (it reads <b>, <br> and <a> in labels), which it decodes back for display
    blob = next(c for a, c in parsed.scripts if a.get("id") == "llm-tco-charts")
    assert not set("<>&") & set(blob)
    labels = {label for chart in _charts(parsed) for trace in chart["data"] for label in trace.get("x", [])}
    names = {trace.get("name") for chart in _charts(parsed) for trace in chart["data"]}
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in names


def test_nothing_is_loaded_by_url() -> None:
    page = render_html(audit({"w": 1.0}), _two_workloads())
    parsed = _parse(page)
    urls = [v or "" for _, attrs in parsed.tags for k, v in attrs.items() if k in ("src", "href")]
    assert urls, "the table of contents links the sections"
    assert all(u.startswith("#") for u in urls), urls
    policy = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv"))
    assert policy is not None and "default-src 'none'" in policy
    assert "@media print" in page


def test_summary_states_the_totals_the_forced_part_and_the_decisions() -> None:
    text = _parse(render_html(None, _two_workloads())).plain
    # today $110 a month, $330 over 3 months; recommended $1,020: 1,020 − 330 = $690 more than staying
    assert "Today the 2 workloads cost $110 a month" in text
    assert "staying as they are costs $330 over 3 months" in text
    assert "$690 more than staying" in text
    # forced: beta's +$870; optional: alpha's −$180
    assert "$870 is forced" in text and "beta (air-gapped)" in text
    assert "The optional changes save $180." in text
    assert "No uncertainty range was computed" in text
    # the decisions, the largest change first: beta (+$870) before alpha (−$180)
    decisions = text[text.index("The decisions that matter most") :]
    assert decisions.index("beta:") < decisions.index("alpha:")
    assert "costs $870 more over 3 months" in decisions
    assert "saves $180 over 3 months" in decisions
    # beta's largest cost lines: GPUs $600 and staff $300
    assert "GPUs $600, platform staff $300" in decisions


def test_charts_carry_the_documents_figures() -> None:
    charts = {c["id"]: c for c in _charts(_parse(render_html(None, _two_workloads())))}
    spend = charts["chart-spend-over-time"]
    assert spend["layout"]["barmode"] == "relative"
    by_name = {t["name"]: t for t in spend["data"]}
    assert by_name["alpha"]["x"] == ["2026-11", "2026-12", "2027-01"]
    assert by_name["alpha"]["y"] == [40, 40, 40] and by_name["beta"]["y"] == [500, 200, 200]

    per_million = {t["name"]: t["y"] for t in charts["chart-cost-per-million"]["data"]}
    assert per_million["today"] == [3, 2]
    assert per_million["best hosted open model"] == [1.2, None]
    assert per_million["best self-hosted"] == [None, 90]
    # 1.2 to 90 spans less than two orders of magnitude: a linear axis
    assert charts["chart-cost-per-million"]["layout"]["yaxis"]["type"] == "linear"

    # beta is the larger workload (900 over the horizon): the first cumulative chart, break-even marked
    beta = charts["chart-cumulative-0"]
    lines_by_name = {t["name"]: t["y"] for t in beta["data"]}
    assert lines_by_name["today: gpt-4o-mini"] == [10, 20, 30]
    assert lines_by_name["best self-hosted: llama"] == [500, 700, 900]
    assert [s["x0"] for s in beta["layout"]["shapes"]] == [2]
    assert beta["layout"]["annotations"][0]["text"] == "break-even: month 2"
    assert charts["chart-cumulative-1"]["layout"]["shapes"] == []  # alpha: no payback month

    breakdown = {t["name"]: t["x"] for t in charts["chart-breakdown"]["data"]}
    assert breakdown == {"API tokens": [120, 0], "GPUs": [0, 600], "platform staff": [0, 300]}


def test_uncertainty_sections_only_when_the_document_has_them() -> None:
    page = render_html(None, _two_workloads())
    assert 'id="uncertainty"' not in page
    assert "chart-npv-range" not in page and "chart-tornado" not in page

    rec = option(
        "open-api:x:m",
        "open-api",
        "m",
        [40, 40, 40],
        cls=Recommendation,
        npv_usd_p10=Decimal(100),
        npv_usd_p50=Decimal(118),
        npv_usd_p90=Decimal(150),
    )
    stay = option("stay", "closed-api", "gpt-4o-mini", [100, 100, 100])

    def bar(name: str, low: float, high: float) -> TornadoBar:
        return TornadoBar(
            assumption=name,
            low_value=None,
            high_value=None,
            saving_at_low_usd=Decimal(str(low)),
            saving_at_high_usd=Decimal(str(high)),
            swing_usd=Decimal(str(abs(high - low))),
        )

    swings = [
        Sensitivity(
            scope="portfolio",
            workload=None,
            option_id=None,
            base_saving_usd=Decimal(1000),
            tornado=[bar("narrow", 990.0, 1010.0), bar("wide", 800.0, 1300.0), bar("middle", 1100.0, 950.0)],
            breakeven_surface=None,
        )
    ]
    doc = plan(
        [workload("w", [stay, rec], rec)],
        totals(current_monthly=100, recommended_monthly=40, current_horizon=300, recommended_horizon=120),
        sensitivity=swings,
    )
    charts = {c["id"]: c for c in _charts(_parse(render_html(None, doc)))}
    npv = charts["chart-npv-range"]["data"]
    assert npv[0]["y"] == ["w · recommended"]
    assert npv[0]["base"] == [100] and npv[0]["x"] == [50]  # P10 100, P90 150: a bar 50 wide from 100
    assert npv[1]["x"] == [118]  # the median's mark
    tornado = charts["chart-tornado"]["data"][0]
    # widths 500, 150, 20: the widest first; "middle" runs from 950 (its high end is the lower NPV)
    assert tornado["y"] == ["wide", "middle", "narrow"]
    assert tornado["x"] == [500, 150, 20]
    assert tornado["base"] == [800, 950, 990]


def test_assumptions_appendix_gives_value_unit_and_source() -> None:
    parsed = _parse(render_html(None, _two_workloads()))
    text = parsed.plain
    appendix = text[text.index("Appendix: assumptions", text.index("Appendix: assumptions") + 1) :]
    # the default PUE: its published source; a changed value: the user's configuration; an unknown key
    assert re.search(
        r"owned\.pue 1\.58 ratio Uptime Institute Global Data Center Survey 2023 \(Uptime", appendix
    )
    assert "https://uptimeinstitute.com/" in appendix
    assert "staffing.platform_fte 2 FTE set in my llm-tco.toml" in appendix
    assert "made.up 7 not documented" in appendix


def test_an_audit_alone_lists_unpriced_usage_and_quarantined_records() -> None:
    doc = audit({"w": 3.0}, unpriced_models=["<model>"], quarantine=[("f.csv", 4, "bad <timestamp>")])
    page = render_html(doc, None)
    text = _parse(page).plain
    assert "LLM usage audit" in text
    assert "From 2026-09 to 2026-10 the usage cost $3.00 for the priced part" in text
    assert "Usage without a price" in text and "<model>" in text
    assert "f.csv 4 bad <timestamp>" in text
    for plan_only in ('id="portfolio"', 'id="assumptions"', "chart-cost-per-million"):
        assert plan_only not in page
    assert {c["id"] for c in _charts(_parse(page))} == {"chart-audit-months", "chart-audit-workloads"}


def test_the_same_documents_give_the_same_page() -> None:
    assert render_html(audit({"w": 1.0}), _two_workloads()) == render_html(
        audit({"w": 1.0}), _two_workloads()
    )


def test_a_report_needs_a_document() -> None:
    with pytest.raises(ValueError, match="needs an audit or a plan"):
        render_html(None, None)


def test_long_names_are_shortened_in_charts_and_kept_whole_in_tables() -> None:
    long_a, long_b = "x" * 60 + "a", "x" * 60 + "b"
    parsed = _parse(render_html(None, _two_workloads((long_a, long_b))))
    assert long_a in parsed.plain and long_b in parsed.plain
    labels = _charts(parsed)[1]["data"][0]["x"]  # the cost-per-1M chart's categories
    assert labels == ["x" * 47 + "…", "x" * 47 + "… (2)"]  # 48 characters, and still two categories


_ = Option  # the fixtures build options of this type
