"""docgap: fill the gaps in an API reference at docs-build time.

The public API, for hosts and scripts. Functions named like their module (`docgap.scan.scan`,
`docgap.render.render`, `docgap.validate.validate`) are imported from that module, so that
`docgap.scan` stays the module:

```python
from docgap import fill, load_settings
from docgap.render import render

settings = load_settings(None, {"packages": ["mypkg"]})
outcome = fill(settings)                      # scan → lockfile/cache → provider → valid drafts
for resolved in outcome.resolved.values():
    print(render(resolved.record.draft, resolved.target, "google"))
```

A docs host builds on `docgap.hosting` (`Session`, `host_settings`) instead: see that module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from docgap._version import __version__

if TYPE_CHECKING:
    from docgap.drafts import Draft, Raise, Record, Resolved, Usage
    from docgap.errors import (
        BudgetExhausted,
        DocgapError,
        GenerationError,
        LockfileError,
        ProviderConfigError,
        SettingsError,
        StrictModeError,
    )
    from docgap.hosting import Badge, Session, host_settings
    from docgap.outcome import Failure, Fill, Summary
    from docgap.pipeline import fill
    from docgap.render.google import render_google
    from docgap.render.numpy import render_numpy
    from docgap.render.sphinx import render_sphinx
    from docgap.review import Review, ReviewState
    from docgap.schema import SCHEMA_VERSION, draft_schema
    from docgap.settings import Settings, load_settings
    from docgap.targets import Parameter, ScanResult, ScanWarning, Target

# Imported on first use: `import docgap.sphinx` (or any submodule) runs this file first, and a host
# must not pay for the scanner, the engine and the renderers before it has work for them.
_LAZY = {
    **dict.fromkeys(("Draft", "Raise", "Record", "Resolved", "Usage"), "docgap.drafts"),
    **dict.fromkeys(("BudgetExhausted", "DocgapError", "GenerationError", "LockfileError", "ProviderConfigError",
                     "SettingsError", "StrictModeError"), "docgap.errors"),
    **dict.fromkeys(("Badge", "Session", "host_settings"), "docgap.hosting"),
    **dict.fromkeys(("Failure", "Fill", "Summary"), "docgap.outcome"),
    "fill": "docgap.pipeline",
    "render_google": "docgap.render.google",
    "render_numpy": "docgap.render.numpy",
    "render_sphinx": "docgap.render.sphinx",
    **dict.fromkeys(("Review", "ReviewState"), "docgap.review"),
    **dict.fromkeys(("SCHEMA_VERSION", "draft_schema"), "docgap.schema"),
    **dict.fromkeys(("Settings", "load_settings"), "docgap.settings"),
    **dict.fromkeys(("Parameter", "ScanResult", "ScanWarning", "Target"), "docgap.targets"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'docgap' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "SCHEMA_VERSION",
    "Badge",
    "BudgetExhausted",
    "DocgapError",
    "Draft",
    "Failure",
    "Fill",
    "GenerationError",
    "LockfileError",
    "Parameter",
    "ProviderConfigError",
    "Raise",
    "Record",
    "Resolved",
    "Review",
    "ReviewState",
    "ScanResult",
    "ScanWarning",
    "Settings",
    "Session",
    "SettingsError",
    "StrictModeError",
    "Summary",
    "Target",
    "Usage",
    "__version__",
    "draft_schema",
    "fill",
    "host_settings",
    "load_settings",
    "render_google",
    "render_numpy",
    "render_sphinx",
]
