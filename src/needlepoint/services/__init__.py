"""Use cases: the application layer between entrypoints and the pure domain."""
