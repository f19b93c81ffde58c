"""The interop area: a patient's record handed to other systems (FHIR R4B, issue 15).

The area gathers the records (the programme, the clinic, its staff and rooms, consents and
clinical photos) into neutral values (``ports.PatientExport``) and hands them to the
``FhirExporter`` port; the FHIR models live in ``adapters/fhir`` (the services import no FHIR).

The Bulk Data ``$export`` of a whole clinic (``bulk_export``, ``bulk_facade``) runs the same
mapping over every patient of the clinic, in the background, into NDJSON files.
"""
