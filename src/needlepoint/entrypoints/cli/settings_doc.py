"""``docs/settings.md``, written from the settings models (``make docs``; a test keeps it true)."""

from __future__ import annotations

import ipaddress
import types
from datetime import time
from pathlib import Path
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from needlepoint.config import ENV_PREFIX, Settings


def settings_markdown() -> str:
    """``docs/settings.md``: one row per environment variable, from the models' fields."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from the models in src/needlepoint/config.py by `make docs`. -->",
        "",
        "needlepoint reads these environment variables (`Settings.from_env`). An empty value "
        "counts as unset. Secrets never appear in logs or `repr`.",
        "",
        "| Variable | Type | Default | Description |",
        "|---|---|---|---|",
    ]
    lines += [_row(*entry) for entry in _documented_fields()]
    return "\n".join(lines) + "\n"


def _documented_fields() -> list[tuple[str, FieldInfo]]:
    rows: list[tuple[str, FieldInfo]] = []
    for name, info in Settings.model_fields.items():
        section = _section_model(info.annotation)
        if section is None:
            rows.append((ENV_PREFIX + name.upper(), info))
            continue
        rows += [
            (f"{ENV_PREFIX}{name.upper()}_{_env_key(key, sub)}", sub)
            for key, sub in section.model_fields.items()
        ]
    return rows


def _section_model(annotation: object) -> type[BaseModel] | None:
    models = [arg for arg in get_args(annotation) if isinstance(arg, type)]
    return next((m for m in models if issubclass(m, BaseModel)), None)


def _env_key(name: str, info: FieldInfo) -> str:
    alias = info.validation_alias
    return (alias if isinstance(alias, str) else name).upper()


def _row(variable: str, info: FieldInfo) -> str:
    cells = (f"`{variable}`", _type_label(info.annotation), _default_label(info), info.description)
    return "| " + " | ".join(_escaped(str(cell)) for cell in cells) + " |"


def _escaped(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "\\<")


_TYPE_LABELS: dict[object, str] = {
    bool: "flag (1, true or yes)",
    int: "whole number",
    str: "text",
    Path: "path",
    time: "time (HH:MM)",
    SecretStr: "secret",
    ipaddress.IPv4Network: "address or network",
    ipaddress.IPv6Network: "address or network",
}


def _type_label(annotation: object) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type_label(args[0])
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in args)
    if origin is tuple:
        return f"comma-separated list, each an {_type_label(args[0])}"
    if origin in (Union, types.UnionType):
        labels = dict.fromkeys(_type_label(a) for a in args if a is not type(None))
        return " or ".join(labels)
    return _TYPE_LABELS.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default_label(info: FieldInfo) -> str:
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "shown_default" in extra:
        return str(extra["shown_default"])
    if info.is_required():
        return "unset"
    default = info.get_default(call_default_factory=True)
    if default in (None, "", ()):
        return "unset"
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, time):
        return default.strftime("%H:%M")
    return f"`{default}`"
