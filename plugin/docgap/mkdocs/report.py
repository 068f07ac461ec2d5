"""The MkDocs log: the session's messages go there, and the closing summary of a build."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mkdocs.plugins import get_plugin_logger

if TYPE_CHECKING:
    from docgap.hosting import Session

log = get_plugin_logger("docgap")
_SHOWN = 20  # generated objects named in the log; the rest are counted


def to_mkdocs_log(level: int, text: str) -> None:
    """A session's log: MkDocs' plugin logger (which adds the `docgap: ` prefix)."""
    log.log(level, text)


def report(session: Session) -> list[str]:
    """Log the closing summary and name what was generated; return the strict-mode problems.

    Args:
        session: The build's session, with every package filled in it.

    Returns:
        One message per package with objects left undocumented under `strict`; empty otherwise.
    """
    lines = session.summary_lines()
    if not lines:
        log.info("nothing to fill: mkdocstrings loaded none of the packages in the settings %s",
                 list(session.settings.packages) or "(all)")
        return []
    for line in lines:
        log.info(line)
    generated = session.generated()
    if generated:
        more = f" and {len(generated) - _SHOWN} more" if len(generated) > _SHOWN else ""
        log.info("generated: %s%s", ", ".join(generated[:_SHOWN]), more)
    return [f"docgap: {problem}" for problem in session.problems()]
