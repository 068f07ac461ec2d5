"""Voice examples chosen by relevance: documented siblings a model should sound like.

A documented member of the same class comes first, then documented objects that share parameter
names with the target (the project's wording for the same argument), then the rest of its module;
shorter texts first among equals. When none is in scope (with `include`, the documented
neighbours are often outside it), the module's voice examples the scan kept are used.
"""

from __future__ import annotations

from collections import defaultdict

from docgap.plain import strip_markup
from docgap.targets import Documented, ScanResult, Target

_PER_NAME = 30  # candidates kept per parameter name: `name` or `path` may be everywhere
_SKIPPED_NAMES = frozenset({"self", "cls", "args", "kwargs"})


class ExampleIndex:
    """The documented objects of one scan, indexed for `examples`.

    Args:
        result: The scan.
    """

    def __init__(self, result: ScanResult) -> None:
        self._result = result
        self._by_parent: dict[str, list[Documented]] = defaultdict(list)
        self._by_parameter: dict[str, list[Documented]] = defaultdict(list)
        for documented in result.documented:
            if not documented.text.strip():
                continue
            self._by_parent[documented.path.rpartition(".")[0]].append(documented)
            for name in documented.parameters:
                if name not in _SKIPPED_NAMES and len(self._by_parameter[name]) < _PER_NAME:
                    self._by_parameter[name].append(documented)

    def examples(self, target: Target, limit: int) -> tuple[str, ...]:
        """Up to `limit` human docstrings relevant to `target`, markup stripped.

        Args:
            target: The undocumented object.
            limit: How many (`examples_in_prompt`).

        Returns:
            The texts, most relevant first.
        """
        if limit <= 0:
            return ()
        parent = target.path.rpartition(".")[0]
        names = {p.name for p in target.parameters} - _SKIPPED_NAMES
        scores: dict[str, tuple[int, Documented]] = {}

        def consider(documented: Documented, score: int) -> None:
            if documented.path != target.path and score > scores.get(documented.path, (0, documented))[0]:
                scores[documented.path] = (score, documented)

        module = target.module or parent
        for documented in self._by_parent.get(module, ()):
            consider(documented, 1)
        if parent != module:
            for documented in self._by_parent.get(parent, ()):
                consider(documented, 4)
        for name in names:
            for documented in self._by_parameter.get(name, ()):
                shared = len(names & set(documented.parameters))
                consider(documented, 1 + 2 * shared + (documented.path.startswith(module + ".")))
        ranked = sorted(scores.values(), key=lambda item: (-item[0], len(item[1].text), item[1].path))
        texts = [strip_markup(documented.text) for _, documented in ranked[:limit]]
        if len(texts) < limit:
            texts += [strip_markup(text) for text in self._module_examples(module)][: limit - len(texts)]
        return tuple(dict.fromkeys(t for t in texts if t))[:limit]

    def _module_examples(self, module: str) -> tuple[str, ...]:
        """The scan's voice examples of the module, else of the nearest package above it that has some."""
        while module and module not in self._result.examples:
            module = module.rpartition(".")[0]
        return self._result.examples.get(module, ())
