"""Request (``…In``) and response (``…Out``) models of the API, one module per area.

``common`` holds what every area uses: the bounded text and number types, ``RequestModel``,
the ``Problem`` body and the generic ``Page``. The areas follow the services: ``accounts``,
``records`` (patients, outcomes, care documents, scar assessments), ``consultation``
(consultations, clearances), ``treatment`` (series, sessions, charts, recalls),
``scheduling`` and ``portal`` (what a patient sends: a check-in; read by the portal's form,
no API operation yet).

Every request model refuses unknown fields (``extra="forbid"``) and bounds every string and
number; text may not contain control characters (they have no place in a name, and they break
log lines); the exception is a patient's check-in note (``portal``), free text from a text
area that keeps its new lines, as the portal's form always took it. Lengths follow the
database columns.
"""
