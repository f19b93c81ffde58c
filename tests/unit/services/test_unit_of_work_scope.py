"""No use case takes a unit of work with repositories it does not use (issue 11).

Each service function names, in its ``uow`` parameter's annotation, the narrowest protocol it
needs: a ``Transaction`` (only if it opens, commits or rolls back the transaction) plus one
``Has<Repository>`` per repository it touches. This test reads the services' source, works out
what each function touches (its own ``uow.<repository>`` uses and ``with uow:`` blocks, plus
what the functions it hands ``uow`` to declare), and compares that with what its annotation
offers.

A protocol offers a repository through a property (``HasPatients.patients``,
``audit.Audited.audit``) or a plain annotation (``AccountsUnitOfWork.sessions``), and a
transaction if it has ``commit``; it offers what its bases offer too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[3] / "src/needlepoint/services"
PACKAGE = "needlepoint.services"

TRANSACTION = "<transaction>"
"""What a protocol with ``commit`` offers, and what ``with uow:`` or ``uow.commit()`` use."""

_TRANSACTION_METHODS = frozenset({"commit", "rollback", "__enter__", "__exit__"})

HOOKS = {"on_change": "ReminderPlanning"}
"""Calls through a hook count as the protocol the hook's type names (``steps.OnChange``)."""

PENDING: set[str] = set()
"""Areas not narrowed yet, left out of the verdict (not of the analysis).

``services/scheduling`` is being restructured on another branch; its functions get their narrow
protocols there. Remove the entry once that rework is merged.
"""

Trees = list[tuple[str, ast.Module]]


@dataclass
class _Function:
    where: str
    annotation: str
    touched: set[str] = field(default_factory=set)
    callees: set[tuple[str, str]] = field(default_factory=set)
    """(module, name) of each function ``uow`` is passed to; module "" when not known."""


def _modules() -> Trees:
    return [
        (str(path.relative_to(SERVICES)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SERVICES.rglob("*.py"))
    ]


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1]
    return ""


def _protocols(trees: Trees) -> dict[str, set[str]]:
    """Each protocol class → the repositories (and transaction) it offers, bases included."""
    bases: dict[str, list[str]] = {}
    own: dict[str, set[str]] = {}
    for _, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(_name(b) == "Protocol" for b in node.bases):
                bases[node.name] = [_name(b) for b in node.bases]
                own[node.name] = set(_offered_by(node))

    def offered(name: str) -> set[str]:
        found = set(own.get(name, set()))
        for base in bases.get(name, []):
            found |= offered(base)
        return found

    return {name: offered(name) for name in bases}


def _offered_by(protocol: ast.ClassDef) -> Iterator[str]:
    for item in protocol.body:
        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            yield item.target.id
        elif isinstance(item, ast.FunctionDef):
            if any(_name(d) == "property" for d in item.decorator_list):
                yield item.name
            elif item.name == "commit":
                yield TRANSACTION


def _imports(tree: ast.Module, modules: set[str]) -> dict[str, tuple[str, str]]:
    """Local name → (module, name) it was imported as; name "" when it is a module."""
    found: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module is None:
            continue
        if node.level or not (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
            continue
        base = node.module.removeprefix(PACKAGE).strip(".").replace(".", "/")
        for alias in node.names:
            local = alias.asname or alias.name
            as_module = _module_path(f"{base}/{alias.name}".strip("/"), modules)
            if as_module is not None:
                found[local] = (as_module, "")
            else:
                found[local] = (_module_path(base, modules) or base, alias.name)
    return found


def _module_path(dotted: str, modules: set[str]) -> str | None:
    for candidate in (f"{dotted}.py", f"{dotted}/__init__.py"):
        if candidate in modules:
            return candidate
    return None


def _functions(trees: Trees, repositories: set[str]) -> list[_Function]:
    modules = {module for module, _ in trees}
    found: list[_Function] = []
    for module, tree in trees:
        imports = _imports(tree, modules)
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            uow = next((a for a in args if a.arg == "uow" and a.annotation is not None), None)
            if uow is None or uow.annotation is None:
                continue
            function = _Function(f"{module}:{node.name}", _name(uow.annotation))
            for inner in ast.walk(node):
                _note_use(inner, function, repositories, (module, imports))
            found.append(function)
    return found


def _note_use(
    node: ast.AST,
    function: _Function,
    repositories: set[str],
    scope: tuple[str, dict[str, tuple[str, str]]],
) -> None:
    if isinstance(node, ast.Attribute) and _is_uow(node.value):
        if node.attr in repositories:
            function.touched.add(node.attr)
        elif node.attr in _TRANSACTION_METHODS:
            function.touched.add(TRANSACTION)
    if isinstance(node, ast.With | ast.AsyncWith) and any(
        _is_uow(item.context_expr) for item in node.items
    ):
        function.touched.add(TRANSACTION)
    if isinstance(node, ast.Call) and (
        any(_is_uow(a) for a in node.args) or any(_is_uow(k.value) for k in node.keywords)
    ):
        function.callees.add(_callee(node.func, *scope))


def _callee(func: ast.expr, module: str, imports: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """Where the called function is defined, as far as the module's imports tell."""
    if isinstance(func, ast.Name):
        return imports.get(func.id, (module, func.id))
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        imported = imports.get(func.value.id)
        if imported is not None and imported[1] == "":
            return (imported[0], func.attr)
    return ("", _name(func))


def _is_uow(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "uow"


def _unused(trees: Trees | None = None) -> list[str]:
    """``module:function (Annotation): [what it offers but the function does not use]``."""
    trees = _modules() if trees is None else trees
    modules = {module for module, _ in trees}
    imports = {module: _imports(tree, modules) for module, tree in trees}
    protocols = _protocols(trees)
    repositories = set().union(*protocols.values()) - {TRANSACTION}
    functions = _functions(trees, repositories)
    declared = {f.where: protocols.get(f.annotation, set()) for f in functions}
    by_name: dict[str, set[str]] = {}
    for where, offered in declared.items():
        by_name.setdefault(where.split(":")[1], set()).update(offered)

    def needs_of(module: str, name: str, seen: int = 0) -> set[str]:
        if not module and name in HOOKS:
            return protocols[HOOKS[name]]
        if f"{module}:{name}" in declared:
            return declared[f"{module}:{name}"]
        reexported = imports.get(module, {}).get(name)
        if reexported is not None and reexported[1] and seen < len(modules):
            return needs_of(*reexported, seen + 1)
        return by_name.get(name, set())

    unused = []
    for function in functions:
        needed = set(function.touched)
        for callee in function.callees:
            needed |= needs_of(*callee)
        extra = protocols.get(function.annotation, set()) - needed
        if extra:
            unused.append(f"{function.where} ({function.annotation}): {sorted(extra)}")
    return unused


def _pending(entry: str) -> bool:
    return any(entry.startswith(area) for area in PENDING)


def test_the_checker_sees_the_area_protocols_and_the_use_cases() -> None:
    trees = _modules()
    protocols = _protocols(trees)
    functions = _functions(trees, set().union(*protocols.values()))

    assert {"patients", "audit", "sessions", "appointments"} <= protocols["TreatmentUnitOfWork"]
    assert {"sessions", "tokens", "audit", TRANSACTION} <= protocols["AccountsUnitOfWork"]
    assert protocols["Audited"] == {"audit"}
    assert len(functions) > 50


_SYNTHETIC = '''
from typing import Protocol

from needlepoint.services.helpers import audited


class Transaction(Protocol):
    def commit(self) -> None: ...


class HasPatients(Protocol):
    @property
    def patients(self) -> object: ...


class Audited(Protocol):
    @property
    def audit(self) -> object: ...


class Stores(Protocol):
    staff: object
    tokens: object


class Everything(Transaction, HasPatients, Audited, Stores, Protocol):
    """Far more than any function below needs."""


class PatientReads(Transaction, HasPatients, Audited, Protocol):
    """Exactly what ``read_patient`` needs."""


def find(uow: Everything) -> object:
    return uow.patients.get()


def read_patient(*, uow: PatientReads) -> object:
    with uow:
        found = find(uow)
        audited(uow)
        uow.commit()
    return found


def revoke(uow: Stores) -> None:
    uow.tokens.revoke()
'''

_HELPERS = """
def audited(uow: Audited) -> None:
    uow.audit.append()
"""


def test_the_checker_flags_a_unit_of_work_wider_than_its_use() -> None:
    trees = [
        ("area/use_cases.py", ast.parse(_SYNTHETIC)),
        ("helpers.py", ast.parse(_HELPERS)),
    ]

    assert _unused(trees) == [
        "area/use_cases.py:find (Everything): ['<transaction>', 'audit', 'staff', 'tokens']",
        "area/use_cases.py:revoke (Stores): ['staff']",
    ]


def test_no_use_case_takes_repositories_it_does_not_use() -> None:
    assert [entry for entry in _unused() if not _pending(entry)] == []
