"""The consultation area's repositories (services/consultation/ports.py)."""
