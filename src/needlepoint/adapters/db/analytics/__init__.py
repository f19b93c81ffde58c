"""The analytics area's reads (ADR 0045)."""
