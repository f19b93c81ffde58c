"""The scheduling area.

The clinic's calendar set-up, booking proposals, bookings and their changes, calendar feeds
and the dashboard.
"""
