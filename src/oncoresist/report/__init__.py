"""Self-contained HTML reports (cohort report, patient report)."""

from ._cohort import cohort_sections, render_report, write_cohort_report
from ._patient import (
    patient_reports_section,
    render_patient_report,
    write_patient_report,
    write_patient_reports,
)
from ._sections import Section, escape, figure_html, figure_to_data_uri, table_html

__all__ = [
    "Section",
    "cohort_sections",
    "escape",
    "figure_html",
    "figure_to_data_uri",
    "render_report",
    "table_html",
    "write_cohort_report",
]
__all__ += ["patient_reports_section", "render_patient_report", "write_patient_report", "write_patient_reports"]
from ._integration_section import integration_section  # noqa: E402

__all__ += ["integration_section"]
from ._screen_section import screen_section  # noqa: E402

__all__ += ["screen_section"]
from ._models_section import models_section  # noqa: E402

__all__ += ["models_section"]
