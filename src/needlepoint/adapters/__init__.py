"""Real implementations of the service ports (clock now; database and mail later)."""
