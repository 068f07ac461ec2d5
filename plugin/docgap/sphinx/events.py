"""The Sphinx event handlers: fill once before reading, then only read from the drafts."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging as sphinx_logging

from docgap.errors import DocgapError
from docgap.pipeline import fill
from docgap.sphinx.config import settings_from_config
from docgap.sphinx.nodes import wrap_generated
from docgap.sphinx.state import BuildState, canonical_path

logger = sphinx_logging.getLogger("docgap")
_STATES: weakref.WeakKeyDictionary[Sphinx, BuildState] = weakref.WeakKeyDictionary()


def state_of(app: Sphinx) -> BuildState | None:
    """The build's docgap state (`None` before `builder-inited` or after a failed start)."""
    return _STATES.get(app)


def on_builder_inited(app: Sphinx) -> None:
    """Scan and resolve every draft, in the main process, before any document is read.

    Raises:
        ExtensionError: When the packages cannot be scanned, or under `strict` with misses.
    """
    settings = settings_from_config(app)
    if settings.style in ("google", "numpy") and "sphinx.ext.napoleon" not in app.extensions:
        logger.warning("docgap: docgap_style = %r needs 'sphinx.ext.napoleon' in extensions; "
                       "add it or use docgap_style = 'sphinx'", settings.style, type="docgap", subtype="config")
    logger.info("docgap: scanning %s", ", ".join(settings.packages))
    try:
        with _core_logs_to_sphinx():
            outcome = fill(settings, progress=_progress)
    except DocgapError as exc:
        raise ExtensionError(f"docgap: {exc}") from exc
    assert outcome.summary is not None
    for line in outcome.summary.lines():
        logger.info(line)
    try:
        outcome.check_strict(settings)
    except DocgapError as exc:
        raise ExtensionError(str(exc)) from exc
    state = BuildState(settings, outcome)
    _STATES[app] = state
    _register_attribute_docs(state)


def _register_attribute_docs(state: BuildState) -> None:
    """Give autodoc's source analyzer the drafts of attributes.

    Autodoc reads attribute documentation (module constants, class attributes, dataclass fields,
    enum members) from `#:` comments found by its `ModuleAnalyzer`, and never fires
    `autodoc-process-docstring` for an attribute without one. Adding the marked draft there makes
    autodoc show and document the attribute as if the comment existed; the source is untouched.
    """
    from sphinx.pycode import ModuleAnalyzer
    from sphinx.errors import PycodeError

    for resolved in state.fill.resolved.values():
        target = resolved.target
        if target.kind != "attribute" or not target.module or not target.path.startswith(target.module + "."):
            continue
        qualified = target.path[len(target.module) + 1:]
        namespace = qualified.rpartition(".")[0]
        try:
            analyzer = ModuleAnalyzer.for_module(target.module)
            analyzer.analyze()
        except PycodeError:
            continue
        analyzer.attr_docs.setdefault((namespace, target.name), state.lines(resolved))


def on_process_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Give an object with an empty docstring its draft, and note which drafts each document shows."""
    state = state_of(app)
    if state is None:
        return
    used = _used_keys(app.env).setdefault(app.env.docname, {})
    resolved = state.lookup(name, obj)
    if resolved is not None and lines == state.lines(resolved):  # an attribute draft, via the analyzer
        used[resolved.target.path] = resolved.target.key
        return
    if any(line.strip() for line in lines) and not _synthesized(obj, name, lines):
        return
    if resolved is None:
        target = state.unfilled.get(name)
        if target is not None:
            used[target.path] = ""  # re-read this document once a draft exists
        return
    used[resolved.target.path] = resolved.target.key
    lines[:] = state.lines(resolved)


def on_skip_member(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Keep members autodoc would skip for lack of a docstring when docgap fills them."""
    state = state_of(app)
    if state is None or not skip or name in (getattr(options, "exclude_members", None) or ()):
        return None
    if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
        return None
    path = canonical_path(obj)
    if path is not None and not isinstance(obj, (str, int, float, bytes, tuple)):
        return False if state.fill.lookup(path) is not None else None
    return False if name in state.filled_names else None


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Wrap each generated docstring in its marked block."""
    state = state_of(app)
    if state is None:
        return
    filled = {path for path, key in _used_keys(app.env).get(app.env.docname, {}).items() if key}

    def attributes_for(name: str) -> dict[str, str] | None:
        resolved = state.fill.lookup(name)
        if resolved is None or resolved.target.path not in filled:
            return None
        return state.attributes(resolved.target.path)

    wrap_generated(doctree, attributes_for)


def on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Re-read documents whose drafts changed since they were read (and only those)."""
    state = state_of(app)
    if state is None:
        return []
    outdated = []
    for docname, used in _used_keys(env).items():
        if docname in removed:
            continue
        for path, key in used.items():
            resolved = state.fill.resolved.get(path)
            if path == "*report*":
                if key != _report_key(state):
                    outdated.append(docname)
                    break
            elif (resolved.target.key if resolved else "") != key:
                outdated.append(docname)
                break
    return outdated


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _used_keys(env).pop(docname, None)


def on_env_merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _used_keys(env).update({d: k for d, k in _used_keys(other).items() if d in docnames})


def note_report(app: Sphinx) -> None:
    """Record that the current document shows the report, which depends on every draft."""
    state = state_of(app)
    if state is not None:
        _used_keys(app.env).setdefault(app.env.docname, {})["*report*"] = _report_key(state)


def _report_key(state: BuildState) -> str:
    import hashlib

    material = "\n".join(f"{p}:{r.target.key}:{r.record.provider}:{r.record.model}" for p, r in sorted(state.fill.resolved.items()))
    return hashlib.sha256(material.encode()).hexdigest()


def _used_keys(env: BuildEnvironment) -> dict[str, dict[str, str]]:
    if not hasattr(env, "docgap_used"):
        env.docgap_used = {}  # type: ignore[attr-defined]
    return env.docgap_used  # type: ignore[attr-defined]


def _synthesized(obj: Any, name: str, lines: list[str]) -> bool:
    """A docstring Python wrote, not a person.

    Dataclasses get a `Name(field: type, ...)` docstring, and autodoc shows a special method's
    builtin docstring (`__call__`: "Call self as a function.") when the method has none.
    """
    text = " ".join(line.strip() for line in lines if line.strip())
    short = name.rpartition(".")[2]
    own = getattr(obj, "__name__", None)
    if own and hasattr(obj, "__dataclass_fields__") and text.startswith(f"{own}(") and text.endswith(")"):
        return True
    if short.startswith("__") and short.endswith("__"):
        builtin_docs = {" ".join((getattr(getattr(base, short, None), "__doc__", None) or "").split()) for base in (object, type)}
        return text in builtin_docs
    return False


def _progress(done: int, total: int) -> None:
    if done == total or done % max(1, total // 10) == 0:
        logger.info("docgap: generating drafts... %d/%d", done, total)


class _ForwardToSphinx(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            logger.warning(message, type="docgap", subtype="core")
        else:
            logger.info(message)


@contextmanager
def _core_logs_to_sphinx() -> Iterator[None]:
    core = logging.getLogger("docgap")
    handler = _ForwardToSphinx()
    previous = (core.level, core.propagate)
    core.addHandler(handler)
    core.setLevel(logging.INFO)
    core.propagate = False
    try:
        yield
    finally:
        core.removeHandler(handler)
        core.setLevel(previous[0])
        core.propagate = previous[1]
