"""Integration of the omics layers: group factor analysis, factors in the cohort, subtypes."""
