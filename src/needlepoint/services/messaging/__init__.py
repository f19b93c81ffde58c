"""The messaging area.

The outbox, its delivery worker, and appointment reminders.
"""
