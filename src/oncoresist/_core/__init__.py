"""The bottom layer: errors, files, parameters, statistics. It imports nothing else of oncoresist."""
