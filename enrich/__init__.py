"""enrich: resolve lists of papers against arXiv, Semantic Scholar and GitHub."""

from enrich._version import __version__

__all__ = ["__version__"]
