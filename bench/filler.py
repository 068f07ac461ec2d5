"""Measure how much of the offline (`signature`) drafts' text is name-echo filler, on real packages.

Every undocumented object of the given packages is drafted offline, through `docgap.fill` with
the `signature` provider (a throw-away cache, no lockfile), and every text field of every draft is
classified.

Definitions:

- A *text field* is one non-empty string of a draft: `summary`, `description`, `returns`,
  `yields`, `examples`, each `parameters.<name>`, each `attributes.<name>` and each
  `raises[i].when`.
- Its *words*: the text with backticks removed, split at every character that is not a letter or
  digit, each piece split at `snake_case` underscores and `camelCase`/`CapWords` humps, lowercased.
- The object's *own vocabulary*: the words of the object's name, of its parameters' and attributes'
  names, of its kind (`function`, `method`, `class`, `module`, `property`, `attribute`) and of the
  parameter kinds (`positional`, `keyword`, `only`, `variadic`), plus `STOP_WORDS`: English
  function words and the generic nouns a template needs (`value`, `argument`, `result`, `raised`,
  `source`...), none of which says anything about one particular object.
- A field is *name-echo filler* when it has at least one word and all its words are in the
  object's own vocabulary: "Call.", "The `func` value.", "flag: The flag.", "Extra keyword
  arguments.", "Raised by this code path; see the source for the conditions." are filler;
  "Subclass of `ValueError`." and "The flag, of type bool." are not.

It also counts fields that spell out a private name (a dotted name with a part starting with one
underscore, like `_MISSING` or `mod._Impl`) outside the object's own name: a reader cannot use those.

With `--prompts` it also drafts every object with the `openai` provider against the local fake
server (`tests/fake_openai.py`, which counts about four characters a token) and prints the closing
summary, whose last figures are the prompt tokens per object (median, max).

Run (packages installed in a scratch virtual environment, never imported):
`.venv/bin/python bench/filler.py --search-path /work/filler/venv/lib/python3.11/site-packages cachetools tomlkit boltons`
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from docgap import Settings, fill
from docgap.drafts import Draft
from docgap.targets import Target

STOP_WORDS = frozenset("""
a an the of to in on for by with from as at or and nor not no is are be been being was were it its this that
these those which who whom whose when if then than so such any all each every one some same other
do does done has have had may can could should would will must shall into onto out over under about
extra given used uses using use see also only value values argument arguments parameter parameters
attribute attributes result results object objects instance instances thing item items produced
raised raise raises code path source sources condition conditions asynchronously async
""".split())
"""Words that carry nothing about a particular object (see the module docstring)."""

_KIND_WORDS = frozenset("function method class module property attribute positional keyword only variadic".split())
_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PRIVATE = re.compile(r"(?<![\w.])(?:[A-Za-z]\w*\.)*_[A-Za-z0-9]\w*")


def words(text: str) -> list[str]:
    """The lowercase words of `text`, split at non-alphanumerics, underscores and camel-case humps."""
    found = []
    for piece in re.split(r"[^A-Za-z0-9]+", text.replace("`", " ")):
        found += [w.lower() for w in _HUMP.sub(" ", piece).split() if w]
    return found


def own_vocabulary(target: Target) -> frozenset[str]:
    """The words an object's name, parameters, attributes and kind supply (plus `STOP_WORDS`)."""
    names = [target.name, *(p.name for p in target.parameters), *target.attributes]
    return frozenset(w for name in names for w in words(name)) | _KIND_WORDS | STOP_WORDS


def text_fields(draft: Draft) -> list[tuple[str, str]]:
    """Every non-empty text field of a draft, as (field, text)."""
    fields = [(name, value) for name in ("summary", "description", "returns", "yields", "examples")
              if isinstance(value := getattr(draft, name), str) and value.strip()]
    fields += [(f"parameters.{name}", text) for name, text in draft.parameters.items()]
    fields += [(f"attributes.{name}", text) for name, text in draft.attributes.items()]
    fields += [(f"raises[{i}].when", r.when) for i, r in enumerate(draft.raises)]
    return fields


def is_filler(text: str, vocabulary: frozenset[str]) -> bool:
    """Whether every word of `text` is in `vocabulary` (a field without words is not counted as filler)."""
    found = words(text)
    return bool(found) and all(w in vocabulary for w in found)


def private_names(text: str, target: Target) -> list[str]:
    """Private dotted names `text` spells out that are not the object's own name."""
    own = set(target.path.split("."))
    return [name for name in _PRIVATE.findall(text) if name.split(".")[-1] not in own]


def main(argv: list[str] | None = None) -> int:
    """Draft every undocumented object of the packages offline and print the filler share."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="+", help="import names of installed packages")
    parser.add_argument("--search-path", action="append", default=[], help="where the packages are (site-packages)")
    parser.add_argument("--show", type=int, default=8, help="filler examples to print per package")
    parser.add_argument("--prompts", action="store_true", help="also measure prompt tokens against the fake server")
    args = parser.parse_args(argv)
    totals: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for package in args.packages:
            settings = Settings(packages=(package,), search_paths=tuple(Path(p) for p in args.search_path),
                                root=Path(tmp), provider="signature", cache_dir=Path(tmp) / package,
                                lockfile=Path(tmp) / f"{package}.lock.json")
            result = fill(settings)
            counts: Counter[str] = Counter()
            shown: list[str] = []
            for resolved in result.resolved.values():
                target, draft = resolved.target, resolved.record.draft
                vocabulary = own_vocabulary(target)
                counts["objects"] += 1
                fields = text_fields(draft)
                counts["empty objects"] += not fields
                for field, text in fields:
                    counts["fields"] += 1
                    if is_filler(text, vocabulary):
                        counts["filler"] += 1
                        if len(shown) < args.show:
                            shown.append(f"    {target.path} {field}: {text!r}")
                    if private_names(text, target):
                        counts["private"] += 1
            totals.update(counts)
            print(f"{package}: {_line(counts)}")
            print("\n".join(shown))
            if args.prompts:
                print("\n".join(_prompt_summary(settings, Path(tmp) / f"{package}-model")))
    print(f"total: {_line(totals)}")
    return 0


def _prompt_summary(settings: Settings, cache: Path) -> list[str]:
    """The closing summary of drafting every object with a model (the fake server on 127.0.0.1)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        result = fill(settings.replace(provider="openai", model="fake-model", base_url=server.url, cache_dir=cache))
    return [f"    {line}" for line in result.summary.lines()] if result.summary else []


def _line(counts: Counter[str]) -> str:
    fields = counts["fields"] or 1
    return (f"{counts['objects']} objects ({counts['empty objects']} with no text field), {counts['fields']} text fields, "
            f"{counts['filler']} name-echo filler ({100 * counts['filler'] / fields:.1f} %), "
            f"{counts['private']} spelling out a private name ({100 * counts['private'] / fields:.1f} %)")


if __name__ == "__main__":
    sys.exit(main())
