"""Reading knowledge tables from package data and turning schema errors into KnowledgeError."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from needlepoint.domain.errors import KnowledgeError

ModelT = TypeVar("ModelT", bound=BaseModel)

#: libyaml's C loader when PyYAML was built with it (about ten times faster), else pure Python.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DATA_PACKAGE = "needlepoint.knowledge"


def table_names() -> tuple[str, ...]:
    """Names of every YAML table shipped with the package (without the extension)."""
    data = resources.files(DATA_PACKAGE) / "data"
    names = (entry.name for entry in data.iterdir() if entry.name.endswith(".yaml"))
    return tuple(sorted(name.removesuffix(".yaml") for name in names))


@cache
def raw_table(name: str) -> Any:
    """The parsed YAML of one table, read once per process."""
    path = resources.files(DATA_PACKAGE) / "data" / f"{name}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise KnowledgeError(name, "-", "table file is missing") from error
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise KnowledgeError(name, "-", f"not valid YAML: {error}") from error


def parse_table(name: str, model: type[ModelT]) -> ModelT:
    """Validate one table against its schema model, naming the row and field on failure."""
    try:
        return model.model_validate(raw_table(name))
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise KnowledgeError(name, location or "-", first["msg"]) from error
