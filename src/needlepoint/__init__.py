"""needlepoint: microneedling treatment programmes, from consultation to outcome."""

__version__ = "0.1.0"
