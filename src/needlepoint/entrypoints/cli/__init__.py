"""The ``needlepoint`` command-line tool."""
