"""Self-contained HTML reports: the cohort report (sections per analysis) and patient pages."""

from ._cohort import analysis_sections, cohort_sections, render_report, write_cohort_report
from ._integration_section import integration_section
from ._models_section import models_section
from ._patient import (
    interpret_patients,
    patient_file_names,
    patient_reports_section,
    render_patient_report,
    write_patient_report,
    write_patient_reports,
)
from ._pseudonym import (
    Pseudonymiser,
    pseudonym,
    pseudonymise_cohort,
    scrub_files,
    scrub_text,
    start_pseudonyms,
)
from ._screen_section import screen_section
from ._sections import Section, escape, figure_html, figure_to_data_uri, safe_url, table_html
from ._synergy_page import (
    cohort_synergy,
    render_synergy_page,
    synergy_pages_section,
    synergy_sections,
    write_synergy_pages,
)

__all__ = [
    "Pseudonymiser",
    "Section",
    "analysis_sections",
    "cohort_synergy",
    "cohort_sections",
    "escape",
    "figure_html",
    "figure_to_data_uri",
    "integration_section",
    "interpret_patients",
    "models_section",
    "patient_file_names",
    "patient_reports_section",
    "pseudonym",
    "pseudonymise_cohort",
    "render_patient_report",
    "render_report",
    "render_synergy_page",
    "safe_url",
    "screen_section",
    "scrub_files",
    "scrub_text",
    "start_pseudonyms",
    "synergy_pages_section",
    "synergy_sections",
    "table_html",
    "write_cohort_report",
    "write_patient_report",
    "write_patient_reports",
    "write_synergy_pages",
]
