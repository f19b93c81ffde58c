"""The records area's repositories (services/records/ports.py)."""
