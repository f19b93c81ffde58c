"""The treatment area's repositories (services/treatment/ports.py)."""
