"""The REST API (FastAPI) under ``/api/v1``: ``app.create_app(services)`` builds it."""
