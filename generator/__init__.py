"""Chorus: a static site generator for archives of articles and anonymous testimonies."""

__version__ = "0.1.0"
