"""Name the Python construct behind a documented object, to explain why docgap treated it wrongly.

`construct("click.core.Context.formatter_class")` imports the object and states the facts that
matter to "is there human text?": where its member is defined (inherited from a private
module, imported from another package), what kind of object it is (property, enum member,
dataclass field, instance of a documented class) and where its text comes from (a docstring in
the source, a `__doc__` set at run time, a `#:` comment or string after an assignment that
autodoc's source analyzer reads).
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import importlib
import inspect
import sys
import textwrap
import types
from pathlib import Path
from typing import Any


def _resolve(path: str) -> tuple[Any, Any, str]:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except Exception:  # noqa: BLE001 - any import failure means "try a shorter prefix"
            continue
        parent: Any = None
        for name in parts[cut:]:
            parent, obj = obj, getattr(obj, name)
        return obj, parent, parts[-1]
    raise LookupError(path)


def _source_docstring(func: Any) -> bool | None:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return None
    node = tree.body[0] if tree.body else None
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and ast.get_docstring(node) is not None


def _body_names(cls: type) -> set[str] | None:
    # the file of its own functions: __module__ may be rewritten (httpx sets "httpx" on everything)
    functions = (getattr(v, "__func__", getattr(v, "fget", v)) for v in vars(cls).values())
    files = [f.__code__.co_filename for f in functions
             if inspect.isfunction(f) and f.__qualname__.startswith(cls.__qualname__ + ".")]
    try:
        tree = ast.parse(Path(files[0]).read_text() if files else inspect.getsource(sys.modules[cls.__module__]))
    except (KeyError, OSError, TypeError, SyntaxError):
        return None
    found = next((n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls.__name__), None)
    if found is None:
        return None
    names: set[str] = set()
    for node in found.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def _analyzer_doc(module: str, qualname: str, name: str) -> bool:
    try:
        from sphinx.pycode import ModuleAnalyzer

        return (qualname, name) in ModuleAnalyzer.for_module(module).find_attr_docs()
    except Exception:  # noqa: BLE001 - no source, or not Python: no analyzer doc
        return False


def _origin(module: str) -> str:
    top = module.split(".")[0]
    return f"stdlib {module}" if top in sys.stdlib_module_names else module


def construct(key: str) -> str:
    """Describe the construct behind a shown object.

    Args:
        key: `page#id` or a dotted path; Sphinx's `module-` prefix is accepted.

    Returns:
        Facts joined by `; `, e.g. `property; __doc__ set at run time`.
    """
    path = key.split("#", 1)[-1].removeprefix("module-")
    try:
        obj, parent, name = _resolve(path)
    except Exception as error:  # noqa: BLE001 - report, never fail the run
        return f"unresolvable ({type(error).__name__})"
    facts: list[str] = []
    raw = obj
    if inspect.isclass(parent):
        owner = next((k for k in parent.__mro__ if name in vars(k)), parent)
        raw = vars(owner).get(name, obj)
        if owner is not parent:
            facts.append(f"inherited from {_origin(owner.__module__)}.{owner.__qualname__}")
        body = _body_names(owner)
        if body is not None and name not in body:
            facts.append(f"set on {owner.__qualname__} at run time (not in its class body)")
        if dataclasses.is_dataclass(parent) and name in {f.name for f in dataclasses.fields(parent)}:
            facts.append("dataclass field")
        if _analyzer_doc(owner.__module__, owner.__qualname__, name):
            facts.append("attribute doc in source (#: comment or string after it)")
        else:
            documented = next((k for k in parent.__mro__[1:] if _analyzer_doc(k.__module__, k.__qualname__, name)), None)
            if documented is not None:
                facts.append(f"overrides {documented.__module__}.{documented.__qualname__}.{name}, whose #: comment "
                             "autodoc shows for it (autodoc_inherit_docstrings)")
    elif isinstance(parent, types.ModuleType):
        defined = getattr(obj, "__module__", None)
        if isinstance(defined, str) and parent.__name__.startswith(defined + "."):
            facts.append(f"__module__ rewritten to {defined}")
        elif isinstance(defined, str) and defined != parent.__name__ and not inspect.ismodule(obj):
            facts.append(f"imported from {_origin(defined)}")
        if _analyzer_doc(parent.__name__, "", name):
            facts.append("module data doc in source (#: comment or string after it)")
    if isinstance(raw, property):
        facts.append("property")
        raw = raw.fget
    elif isinstance(raw, (classmethod, staticmethod)):
        facts.append(type(raw).__name__)
        raw = raw.__func__
    if isinstance(obj, enum.Enum):
        facts.append(f"enum member of {type(obj).__qualname__}")
    if inspect.isfunction(raw) or inspect.isclass(raw):
        facts.append("class" if inspect.isclass(raw) else "function")
        if inspect.isclass(raw) and not vars(raw).get("__doc__") and inspect.getdoc(raw):
            base = next(k for k in raw.__mro__[1:] if vars(k).get("__doc__"))
            facts.append(f"no docstring of its own; inherits the class docstring of {base.__module__}.{base.__qualname__}")
        in_source = _source_docstring(raw)
        if raw.__doc__ and in_source is False:
            facts.append("__doc__ set at run time (not in the source)")
    elif not inspect.ismodule(obj) and not isinstance(raw, property):
        if type(obj).__module__ != "builtins":
            facts.append(f"instance of {type(obj).__module__}.{type(obj).__qualname__}")
        if type(obj).__module__ != "builtins" and type(obj).__doc__ and getattr(obj, "__doc__", None) == type(obj).__doc__:
            facts.append("its __doc__ is its class's docstring")
    return "; ".join(facts) or "plain"
