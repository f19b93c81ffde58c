"""Integration tests: real adapters on SQLite and PostgreSQL."""
