"""The pure clinical core: no I/O, no clock, no frameworks.

Reference tables and "today" always arrive as arguments. Modules are named after the
clinic's concepts: ``consultation``, ``screening``, ``planning``, ``care``, ``expectations``
and ``scales``.
"""
