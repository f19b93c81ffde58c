"""The messaging area's repositories (services/messaging/ports.py)."""
