"""The OpenAPI document only grows: what the committed snapshot says, the API still says.

Every path, operation, parameter, response, schema and property in ``openapi.snapshot.json``
must still be there with the same value; new ones may be added (a list, such as ``required``
or an ``enum``, must stay exactly as it was). ``info.version`` is left out: a release changes
it.

After a deliberate change to the document (an addition, or a breaking change agreed on),
refresh the snapshot and commit it with the change::

    .venv/bin/python tests/e2e/test_api_openapi_snapshot.py
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from needlepoint.bootstrap import bootstrap
from needlepoint.config import Settings
from needlepoint.entrypoints.api.app import create_app

SNAPSHOT: Final = Path(__file__).with_name("openapi.snapshot.json")
UNCHECKED: Final = frozenset({"info.version"})
"""Places in the document that may change freely."""


def current_document() -> dict[str, Any]:
    """The API's OpenAPI document as it is now (over an in-memory database)."""
    services = bootstrap(Settings(database_url="sqlite://"))
    try:
        document: dict[str, Any] = create_app(services).openapi()
    finally:
        services.database.close()
    # Through JSON, as it is served: tuples become lists, keys become strings.
    loaded: dict[str, Any] = json.loads(json.dumps(document))
    return loaded


def changes(before: Any, now: Any, where: str = "") -> Iterator[str]:
    """Every place where ``now`` lost or changed something ``before`` had (additions pass)."""
    if isinstance(before, dict) and isinstance(now, dict):
        for key, value in before.items():
            place = f"{where}.{key}" if where else key
            if place in UNCHECKED:
                continue
            if key not in now:
                yield f"{place}: removed"
            else:
                yield from changes(value, now[key], place)
    elif before != now:
        yield f"{where}: was {json.dumps(before)[:200]}, is now {json.dumps(now)[:200]}"


def test_the_openapi_document_keeps_everything_in_the_snapshot() -> None:
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))

    lost = list(changes(snapshot, current_document()))

    assert not lost, "the OpenAPI document changed (see this module to refresh):\n" + "\n".join(
        lost
    )


def test_the_comparison_allows_additions_and_catches_removals_and_changes() -> None:
    before = {"paths": {"/a": {"get": {"x": 1}}}, "required": ["a"], "info": {"version": "1"}}
    grown = {"paths": {"/a": {"get": {"x": 1, "y": 2}}, "/b": {}}, "required": ["a"]}
    grown["info"] = {"version": "2"}
    changed = {"paths": {"/a": {"get": {"x": 2}}}, "required": ["a", "b"], "info": {}}

    assert list(changes(before, grown)) == []
    assert list(changes(before, changed)) == [
        "paths./a.get.x: was 1, is now 2",
        'required: was ["a"], is now ["a", "b"]',
    ]
    assert list(changes(before, {})) == [
        "paths: removed",
        "required: removed",
        "info: removed",
    ]


if __name__ == "__main__":
    SNAPSHOT.write_text(
        json.dumps(current_document(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
