"""Curated, cited clinical knowledge and its loader.

The YAML tables under ``data/`` are the only place clinical numbers live. Loaders validate
each file with Pydantic models (``schema``) and return frozen domain objects. Reading package
data is the only I/O this layer does.
"""
