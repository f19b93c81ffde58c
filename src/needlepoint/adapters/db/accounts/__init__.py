"""The accounts area's repositories (services/accounts/ports.py)."""
