"""The records area.

Patients, scar assessments, outcome measurements and care documents, and a patient's
programme at a glance.
"""
