"""The clinician web app: server-rendered pages (Jinja2) made lively with htmx.

``routes.web_routes(services)`` lists the pages and the static files; the API app mounts them
beside ``/api/v1``. Pages call the same ``Services`` facade as the API. Every page is built
from one table (``routes.PAGES``) naming who may see it; CSRF tokens guard every unsafe
request (``csrf``); every response carries a strict Content-Security-Policy (``headers``).
"""
