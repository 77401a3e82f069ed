"""Figures (matplotlib, static, one function per figure); each returns the Figure."""

__all__: list[str] = []
