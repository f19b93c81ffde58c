"""The patient portal: a patient's own plan, care, appointments, progress and check-ins.

Server-rendered like the clinician web app (Jinja2 and the vendored htmx, the same CSRF
tokens, security headers and error-to-status table), for another audience: patients sign in
by a one-time link, with their own cookie, session table and page table (``routes``). The
clinic's side of check-ins (the review page, the photo, "mark reviewed") is in
``clinic_side``, listed in the staff page table. See ADR 0017.
"""
