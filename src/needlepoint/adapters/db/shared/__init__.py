"""The shared area's repositories (services/shared/ports.py)."""
