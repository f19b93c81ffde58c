"""The portal area.

Patients' sign-in links and sessions, their pages, and check-ins with photos.
"""
