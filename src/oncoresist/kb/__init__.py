"""Knowledge base of resistance evidence in DuckDB: schema, curated core, importers, queries."""

from ._alteration import (
    KINDS,
    Alteration,
    exon_of,
    normalize_gene,
    normalize_protein_change,
    parse_alteration,
    parse_profile,
)
from ._civic import read_civic
from ._core import CORE_VERSION, load_curated_core
from ._kb import SCHEMA_VERSION, ImportReport, KnowledgeBase, build_kb, default_kb_path, open_kb
from ._match import Match, match_biomarker, match_clause
from ._moalmanac import LEVELS as MOALMANAC_LEVELS
from ._moalmanac import read_moalmanac
from ._resources import (
    RESOURCES,
    install_resources,
    load_resource,
    read_gmt,
    resource_cache,
    resource_info,
)
from ._vocab import DISEASE_RELATIONS, Vocabulary

__all__ = [
    "Alteration",
    "CORE_VERSION",
    "DISEASE_RELATIONS",
    "ImportReport",
    "KINDS",
    "KnowledgeBase",
    "MOALMANAC_LEVELS",
    "Match",
    "SCHEMA_VERSION",
    "Vocabulary",
    "build_kb",
    "default_kb_path",
    "exon_of",
    "load_curated_core",
    "match_biomarker",
    "match_clause",
    "normalize_gene",
    "normalize_protein_change",
    "open_kb",
    "parse_alteration",
    "parse_profile",
    "read_civic",
    "read_moalmanac",
    "RESOURCES",
    "install_resources",
    "load_resource",
    "read_gmt",
    "resource_cache",
    "resource_info",
]
