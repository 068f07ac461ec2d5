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
"""

from docgap._version import __version__
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
from docgap.pipeline import Failure, Fill, Summary, fill
from docgap.render.google import render_google
from docgap.render.numpy import render_numpy
from docgap.render.sphinx import render_sphinx
from docgap.schema import SCHEMA_VERSION, draft_schema
from docgap.settings import Settings, load_settings
from docgap.targets import Parameter, ScanResult, ScanWarning, Target

__all__ = [
    "SCHEMA_VERSION",
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
    "ScanResult",
    "ScanWarning",
    "Settings",
    "SettingsError",
    "StrictModeError",
    "Summary",
    "Target",
    "Usage",
    "__version__",
    "draft_schema",
    "fill",
    "load_settings",
    "render_google",
    "render_numpy",
    "render_sphinx",
]
