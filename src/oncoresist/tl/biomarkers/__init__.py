"""Genome-wide biomarkers from a variant table: tumour mutational burden, MSI, SBS-96 signatures.

``_tmb`` (TMB per Mb of callable territory, TMB-high call), ``_msi`` (indel burden and repeat
share, default rule and a fitted logistic classifier), ``_signatures`` (SBS-96 catalogues, NNLS
fitting with bootstrap intervals), ``_cohort`` (the results as cohort sample columns).
"""
