"""The analytics area: what happened to a clinic's patients after their series (ADR 0045)."""
