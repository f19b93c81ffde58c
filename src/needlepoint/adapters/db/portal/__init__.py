"""The portal area's repositories (services/portal/ports.py)."""
