"""The treatment area.

Series agreed from a signed consultation, sessions started after the day-of re-screen, and
their charts.
"""
