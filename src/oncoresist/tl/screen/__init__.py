"""Screens: dose-response curves, the drug layer, drug combinations (synergy)."""
