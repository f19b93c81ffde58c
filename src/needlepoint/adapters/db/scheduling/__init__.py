"""The scheduling area's repositories (services/scheduling/ports.py)."""
