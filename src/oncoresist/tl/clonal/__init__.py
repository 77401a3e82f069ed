"""Clonal evolution: cancer cell fractions, clustering of mutations into clones, clone trees."""
