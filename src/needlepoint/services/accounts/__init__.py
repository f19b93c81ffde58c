"""The accounts area.

Staff, their sign-in sessions and API tokens, and the sign-in throttle.
"""
