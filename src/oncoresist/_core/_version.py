"""The one version source (read by hatchling at build time and by ``oncoresist.__version__``)."""

__version__ = "0.2.0"
