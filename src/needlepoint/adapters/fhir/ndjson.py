"""A validated ``fhir.resources`` model as one line of FHIR JSON, the bulk export's way.

``model_dump_json`` walks every element of every nested model through pydantic's wrap
serializer and a ``model_dump`` per nested model (about 2 ms a resource, most of a bulk
export's time). ``ndjson_line`` walks the same model the same way, in the same element order
(``elements_sequence``), with what each class needs worked out once per class, and hands
each primitive value that is not a plain ``str``/``bool``/``int``/``float`` to the library's
own ``_serialize_primitive_value``; the tree is then written by pydantic's JSON writer, as
``model_dump_json`` writes it. The JSON still comes from the validated model, never built by
hand: a test holds it byte for byte to ``model_dump_json`` for the demo clinic and for any
record the engine can produce (``tests/unit/adapters/test_fhir_ndjson.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from fhir_core.fhirabstractmodel import FHIRAbstractModel
from fhir_core.utils import is_primitive_type
from pydantic.fields import FieldInfo
from pydantic_core import to_json

PLAIN: Final = (str, bool, int, float)
"""Primitive values the library hands on unchanged (it converts bytes, UUID, Decimal)."""
COMMENTS: Final = "fhir_comments"


@dataclass(frozen=True, slots=True)
class _Element:
    field_key: str
    json_key: str
    field: FieldInfo
    primitive: bool
    extension_key: str | None
    """``<field>__ext``, the primitive's extension sibling, when the class has one."""
    extension_json_key: str | None


@dataclass(frozen=True, slots=True)
class _Plan:
    resource_type: str | None
    elements: tuple[_Element, ...]


def ndjson_line(resource: FHIRAbstractModel) -> str:
    """The resource as compact FHIR JSON: ``model_dump_json(exclude_none=True, by_alias=True)``."""
    return to_json(_tree(resource)).decode()


def _tree(model: FHIRAbstractModel) -> dict[str, Any]:
    plan = _plan(type(model))
    values = model.__dict__
    tree: dict[str, Any] = {}
    if plan.resource_type is not None:
        tree["resourceType"] = plan.resource_type
    for element in plan.elements:
        value = values.get(element.field_key)
        if value is not None:
            value = (
                _primitive(model, value, element.field) if element.primitive else _complex(value)
            )
            if value is not None and value != []:
                tree[element.json_key] = value
        if element.extension_key is not None:
            extension = values.get(element.extension_key)
            if extension is not None:
                extension = _complex(extension)
                if extension is not None and len(extension) > 0:
                    tree[element.extension_json_key or element.extension_key] = extension
    comments = values.get(COMMENTS)
    if comments is not None:
        tree[COMMENTS] = comments
    return tree


def _complex(value: Any) -> Any:
    if isinstance(value, list):
        return [_complex(item) for item in value]
    if isinstance(value, FHIRAbstractModel):
        return _tree(value)
    msg = f"unexpected value of type {type(value).__name__} in a FHIR element"
    raise TypeError(msg)


def _primitive(model: FHIRAbstractModel, value: Any, field: FieldInfo) -> Any:
    if isinstance(value, list):
        return [_primitive(model, item, field) for item in value]
    if type(value) in PLAIN:
        return value
    return model._serialize_primitive_value(value, field)


@cache
def _plan(model: type[FHIRAbstractModel]) -> _Plan:
    fields = model.model_fields
    aliases = model.get_alias_mapping()
    elements = []
    for name in model.elements_sequence():
        field_key = aliases[name]
        field = fields[field_key]
        primitive = is_primitive_type(field)
        extension_key = f"{field_key}__ext" if primitive and f"{field_key}__ext" in fields else None
        elements.append(
            _Element(
                field_key=field_key,
                json_key=field.alias or field_key,
                field=field,
                primitive=primitive,
                extension_key=extension_key,
                extension_json_key=fields[extension_key].alias if extension_key else None,
            )
        )
    resource_type = model.__resource_type__ if model.has_resource_base() else None
    return _Plan(resource_type, tuple(elements))
