"""Entry points: the CLI now; the REST API and web app later. Thin by design."""
