"""Self-contained HTML reports (cohort report, patient report)."""

from ._sections import Section, escape, figure_html, figure_to_data_uri, table_html

__all__ = ["Section", "escape", "figure_html", "figure_to_data_uri", "table_html"]
