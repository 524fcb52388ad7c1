"""The self-contained HTML report (charts drawn by Plotly's JavaScript, embedded from the installed
package)."""

from llm_tco.report.html.page import render_html

__all__ = ["render_html"]
