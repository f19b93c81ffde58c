"""The interoperability area's repositories (FHIR)."""
