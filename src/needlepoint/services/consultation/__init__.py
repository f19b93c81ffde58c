"""The consultation area.

The clinical engine (screen, grade, plan, time), consultation records and their signatures,
and clearances of findings.
"""
