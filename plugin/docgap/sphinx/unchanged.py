"""Whether anything a build's drafts depend on changed since the last build: if not, no lookup.

A no-op rebuild reads no document, so the drafts its pages show stay exactly as the last build
left them, unless something they depend on changed. The last build that looked drafts up leaves a
stamp of all of it, next to Sphinx's environment (`docgap-stamp.json` in the doctree folder):

- docgap's version (as for Sphinx's environment: a release changes it), the settings, and what
  the provider is chosen by besides them (the environment variables `auto` reads, the key
  variable: a key removed must fail as before);
- the lockfile (size, time and a hash of its text: drafts, reviews);
- the packages' files, as the scan cache fingerprints them (`scan_cache.sources_unchanged`:
  every source file's path, size and time under where each package was found, and the folders
  before it, where a new package would be found first);
- the draft cache: its database file's inode (a cleared cache is a new one) and the token every
  store that saves drafts changes (`store.DRAFTS_FILE`), taken once the build's own drafts are
  saved: cleared, or given drafts by another build, it may hold other drafts now. (Reading the
  cache changes its database file's time, so that is left out.)

It also holds a token of the environment it goes with, set whenever Sphinx pickles a new one: a
stamp written by a build whose environment was not saved (it failed) never matches. A build
whose lookup warned, or whose pages still want drafts (failures, budget: the next build retries
them) leaves no stamp; under sphinx-autoapi, which writes its pages from every draft, none is used.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from docgap._version import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from docgap.settings import Settings

STAMP = "docgap-stamp.json"
"""The stamp's file name in Sphinx's doctree folder."""

DRAFTS_FILE = "drafts.token"
"""`docgap.store.DRAFTS_FILE` (not imported: the store module loads the cache's library)."""


def unchanged(app: Sphinx, settings: Settings) -> bool:
    """Whether the last build's stamp holds: nothing its drafts depend on changed since."""
    try:
        kept = json.loads((Path(app.doctreedir) / STAMP).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(kept, dict) or kept.get("token") is None:
        return False
    if kept["token"] != getattr(app.env, "docgap_token", None) or kept.get("inputs") != inputs(settings):
        return False
    cache = cache_stamp(settings)
    if cache is None or kept.get("cache") != cache or not isinstance(sources := kept.get("sources"), str):
        return False
    from docgap.scan_cache import sources_unchanged

    return sources_unchanged(settings, sources)


def record(app: Sphinx, settings: Settings, inputs_then: str, sources: str | None, *, saved: bool) -> None:
    """Leave the stamp of this build's lookup, once its drafts are all made.

    Args:
        app: The Sphinx application.
        settings: The build's settings.
        inputs_then: `inputs(settings)` as they were before the lookup read anything.
        sources: The scan cache's fingerprint of the packages, taken before they were scanned.
        saved: Whether Sphinx saves the environment after this build (it read or writes a
            document); a new token then ties the stamp to it.
    """
    cache = cache_stamp(settings)
    if cache is None:  # no draft was ever saved there: a cleared cache would look the same
        forget(app)
        return
    if saved or getattr(app.env, "docgap_token", None) is None:
        app.env.docgap_token = os.urandom(16).hex()  # type: ignore[attr-defined]
    stamp = {"token": app.env.docgap_token, "inputs": inputs_then, "sources": sources,  # type: ignore[attr-defined]
             "cache": cache}
    try:
        (Path(app.doctreedir) / STAMP).write_text(json.dumps(stamp))
    except OSError:
        forget(app)


def forget(app: Sphinx) -> None:
    """Remove the stamp: the next build looks drafts up."""
    try:
        (Path(app.doctreedir) / STAMP).unlink(missing_ok=True)
    except OSError:
        pass


def inputs(settings: Settings) -> str:
    """A digest of docgap's version, the settings, the provider's environment and the lockfile."""
    key_variable = settings.api_key_env or "OPENAI_API_KEY"
    # What `docgap.providers` chooses and fails by; only whether each is set, never a key.
    environment = [bool(os.environ.get(name)) for name in ("AZURE_OPENAI_ENDPOINT", key_variable)]
    parts = [__version__, repr(settings), environment, _lockfile_stamp(settings.lockfile_path)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def cache_stamp(settings: Settings) -> str | None:
    """The draft cache's database file (device, inode) and its drafts' token; `None` without either."""
    try:
        database = (settings.cache_path / "cache.db").stat()
        token = (settings.cache_path / DRAFTS_FILE).read_text()
    except (OSError, ValueError):
        return None
    return f"{database.st_dev}:{database.st_ino}:{token}"


def _lockfile_stamp(path: Path) -> str:
    try:
        info = path.stat()
        stamp = f"{path}:{info.st_size}:{info.st_mtime_ns}"
        return stamp + (":" + hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "")
    except OSError:
        return f"{path}:-"
