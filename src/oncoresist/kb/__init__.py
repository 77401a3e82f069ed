"""Knowledge base of resistance evidence in DuckDB: schema, curated core, importers, queries."""

__all__: list[str] = []
