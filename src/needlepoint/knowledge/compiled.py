"""The compiled knowledge snapshot: every table validated and built once, then loaded as is.

The cited YAML tables stay the only source (ADR 0003). Validating them builds some ninety
Pydantic models and costs a command more than the whole engine does, so the validated result
(the domain's ``ClinicalKnowledge`` and the bibliography's citations) is pickled to
``data/compiled.pickle`` beside the YAML, and later processes unpickle it: plain dataclasses,
no Pydantic model is built (ADR 0035).

The file is derived, never edited and never committed. Its first line is the fingerprint it
was made from: a SHA-256 over the YAML tables and the source of the code that turns them into
domain objects (``knowledge/`` and ``domain/``). A file whose fingerprint differs, or that
cannot be read, is stale: the tables are validated again and the file is rewritten. A fresh
clone therefore needs no step of its own; where the package folder cannot be written (a
read-only install) every process validates the YAML, as before.

Closures built from a row's parameters (rule predicates, care conditions) carry their recipe
(``__recipe__``: the builder and the validated parameters), and the snapshot stores that
recipe, so unpickling rebuilds them from parameters that were validated when it was written.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import FunctionType, MappingProxyType
from typing import Any

from needlepoint.domain.programme import ClinicalKnowledge

#: Bump when the layout of the stored object changes in a way the fingerprint cannot see.
FORMAT = b"needlepoint-knowledge 1"
PACKAGE_DIR = Path(__file__).resolve().parent
COMPILED_PATH = PACKAGE_DIR / "data" / "compiled.pickle"
#: The code that turns the tables into domain objects: a change to it makes the file stale.
_CODE_DIRS = (PACKAGE_DIR, PACKAGE_DIR.parent / "domain")


@dataclass(frozen=True, slots=True)
class CompiledKnowledge:
    """What the engine needs from the knowledge base, built from the validated tables."""

    knowledge: ClinicalKnowledge
    citations: Mapping[str, str]
    """Source id → its full citation (the bibliography, ``sources.yaml``)."""


@cache
def load() -> CompiledKnowledge:
    """The compiled knowledge, from the snapshot if it is current, else built and stored."""
    return load_from(COMPILED_PATH)


def load_from(path: Path) -> CompiledKnowledge:
    """The snapshot at ``path`` if its fingerprint is current; else compile and rewrite it."""
    current = fingerprint()
    stored = _read(path, current)
    if stored is not None:
        return stored
    compiled = compile_tables()
    _write(path, current, compiled)
    return compiled


def compile_tables() -> CompiledKnowledge:
    """Validate every YAML table (Pydantic) and build the domain objects from them."""
    from needlepoint.knowledge import catalogue  # noqa: PLC0415 - only when (re)compiling

    return CompiledKnowledge(
        knowledge=catalogue.load_knowledge(),
        citations={s.id: s.citation for s in catalogue.sources().sources},
    )


def fingerprint() -> str:
    """SHA-256 over the format, every YAML table and the code that builds domain objects."""
    digest = hashlib.sha256(FORMAT)
    for path in _fingerprinted_files():
        digest.update(str(path.relative_to(PACKAGE_DIR.parent)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _fingerprinted_files() -> list[Path]:
    tables = sorted((PACKAGE_DIR / "data").glob("*.yaml"))
    code = sorted(path for folder in _CODE_DIRS for path in folder.rglob("*.py"))
    return [*tables, *code]


def dumps(compiled: CompiledKnowledge, fingerprint_hex: str) -> bytes:
    """The snapshot's bytes: the fingerprint on the first line, then the pickle."""
    buffer = io.BytesIO()
    buffer.write(fingerprint_hex.encode("ascii") + b"\n")
    _RecipePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(compiled)
    return buffer.getvalue()


def _read(path: Path, current: str) -> CompiledKnowledge | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header, _, body = data.partition(b"\n")
    if header != current.encode("ascii"):
        return None
    try:
        loaded = pickle.loads(body)
    except Exception:
        return None
    return loaded if isinstance(loaded, CompiledKnowledge) else None


def _write(path: Path, current: str, compiled: CompiledKnowledge) -> None:
    """Store the snapshot atomically; a folder that cannot be written is left alone.

    Knowledge that cannot be pickled (a closure without a recipe) is not stored either: the
    process goes on with what it validated, and the snapshot test fails until it has one.
    """
    try:
        data = dumps(compiled, current)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    written: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".compiled-", delete=False) as f:
            written = Path(f.name)
            f.write(data)
        written.chmod(0o644)  # readable like the YAML beside it
        os.replace(written, path)
    except OSError:
        if written is not None:
            written.unlink(missing_ok=True)


def _mapping_proxy(content: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(content)


class _RecipePickler(pickle.Pickler):
    """Pickles a closure as its recipe, and a read-only mapping as one."""

    def reducer_override(self, obj: object) -> Any:
        if isinstance(obj, MappingProxyType):
            return _mapping_proxy, (dict(obj),)
        if isinstance(obj, FunctionType) and hasattr(obj, "__recipe__"):
            return obj.__recipe__
        return NotImplemented
