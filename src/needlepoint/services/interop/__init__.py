"""Interoperability: the clinic's records as FHIR R4B (HL7 Bulk Data ``$export``)."""
