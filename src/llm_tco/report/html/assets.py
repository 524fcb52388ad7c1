"""What the page carries inline so that it opens offline: Plotly's JavaScript from the installed ``plotly``
package, the style sheet (screen and print) and the script that draws the charts.

Nothing is loaded by URL. The page's Content-Security-Policy allows no network source at all, so a chart
library that tried to fetch something (a font, a map, a script) would be refused by the browser rather than
leak a request from a report someone opened offline.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

__all__ = ["BOOT_SCRIPT", "CONTENT_SECURITY_POLICY", "STYLE", "plotly_js"]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The minified plotly.js bundled with the installed ``plotly`` Python package (found without
    importing the package, which is slow to import and not otherwise needed)."""
    spec = importlib.util.find_spec("plotly")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        bundle = Path(folder) / "package_data" / "plotly.min.js"
        if bundle.is_file():
            return bundle.read_text(encoding="utf-8")
    raise RuntimeError(
        "the plotly package (a dependency of llm-tco) is not installed or has no plotly.min.js"
    )


BOOT_SCRIPT = """
(function () {
  "use strict";
  var source = document.getElementById("llm-tco-charts");
  var charts = JSON.parse(source.textContent);
  var config = {displayModeBar: false, displaylogo: false, responsive: true, showTips: false};
  charts.forEach(function (chart) {
    var node = document.getElementById(chart.id);
    if (node) { Plotly.newPlot(node, chart.data, chart.layout, config); }
  });
  function resizeAll() {
    charts.forEach(function (chart) {
      var node = document.getElementById(chart.id);
      if (node) { Plotly.Plots.resize(node); }
    });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
"""
"""Draws every chart from the JSON block (``JSON.parse`` of text: the data is never evaluated as code) and
redraws them at the page's width when it is printed."""

STYLE = """
:root { --ink: #1d2430; --muted: #5b6473; --line: #d9dde3; --accent: #2458a6; --good: #1f7a3a;
        --bad: #a3361f; --paper: #ffffff; --band: #f4f6f9; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: var(--paper); font-size: 15px; line-height: 1.5; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 28px 64px; }
header { border-bottom: 2px solid var(--ink); margin-bottom: 20px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
p { margin: 6px 0; }
.meta { color: var(--muted); font-size: 0.85rem; margin: 0 0 10px; }
.lead { font-size: 1.08rem; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.figure { background: var(--band); border-radius: 6px; padding: 10px 14px; min-width: 180px; flex: 1; }
.figure .label { color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: .04em; }
.figure .value { font-size: 1.35rem; font-weight: 600; }
.saving { color: var(--good); } .cost { color: var(--bad); }
ol.decisions li { margin-bottom: 6px; }
.chart { width: 100%; min-height: 320px; }
figure { margin: 10px 0 18px; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 0.88rem; }
caption { text-align: left; color: var(--muted); font-size: 0.85rem; padding-bottom: 4px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem;
        white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: var(--muted); }
nav.toc { font-size: 0.88rem; columns: 2; margin: 8px 0 0; }
nav.toc a { color: var(--accent); text-decoration: none; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { font-size: 11px; }
  body { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  table, .figure { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .figure { background: none; border: 1px solid var(--line); }
  a { color: inherit; text-decoration: none; }
}
"""
