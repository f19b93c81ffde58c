"""The clinician web app: server-rendered pages (Jinja2) made lively with htmx.

Pages are FastAPI routes (``routes.web_router()``, built from one page table, ``routes.PAGES``,
naming the action each takes) behind the app's one guard, ``api.permissions.authorize``,
which the API's operations pass too: who is signed in, the CSRF token of every unsafe
request (``csrf``), the action. A page answers refusals and errors as HTML (``routing``,
``visits``, ``errors``); every response carries a strict Content-Security-Policy
(``headers``). Forms are read with the API's request models (``forms``).
"""
