"""The scan on the shapes real code has: each gets a test that fails if the scan misreports it."""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

from docgap.errors import SettingsError
from docgap.scan import scan
from docgap.settings import Settings
from docgap.targets import ScanResult, Target


def make_package(root: Path, files: dict[str, str], name: str = "pkg") -> Settings:
    for relative, text in files.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Settings(root=root).replace(packages=[name], search_paths=[str(root)])


def scan_files(tmp_path: Path, files: dict[str, str], **settings: object) -> ScanResult:
    files = {"__init__.py": "", **files}
    return scan(make_package(tmp_path, files).replace(**settings) if settings else make_package(tmp_path, files))


def targets(result: ScanResult) -> dict[str, Target]:
    return {t.path: t for t in result.targets}


def params(target: Target) -> list[str]:
    return [p.name for p in target.parameters]


def test_bound_first_parameter_is_dropped_whatever_its_name(tmp_path: Path) -> None:
    found = targets(scan_files(tmp_path, {"m.py": """
        class Meta(type):
            def make(mcs, name): ...
        class A:
            def f(self, x): ...
            def g(f, y): ...
            @classmethod
            def build(cls, z): ...
            @staticmethod
            def helper(a, b): ...
            def interface(): ...
    """}))
    assert params(found["pkg.m.Meta.make"]) == ["name"]
    assert params(found["pkg.m.A.f"]) == ["x"]
    assert params(found["pkg.m.A.g"]) == ["y"]
    assert params(found["pkg.m.A.build"]) == ["z"]
    assert params(found["pkg.m.A.helper"]) == ["a", "b"]
    assert params(found["pkg.m.A.interface"]) == []


def test_parameter_kinds_markers_and_variadics(tmp_path: Path) -> None:
    target = targets(scan_files(tmp_path, {"m.py": "def f(a, /, b: int = 2, *args, c, d=None, **kwargs) -> int:\n    return a\n"}))["pkg.m.f"]
    assert [(p.name, p.kind) for p in target.parameters] == [
        ("a", "positional-only"), ("b", "positional or keyword"), ("args", "variadic positional"),
        ("c", "keyword-only"), ("d", "keyword-only"), ("kwargs", "variadic keyword")]
    assert target.parameters[1].annotation == "int" and target.parameters[1].default == "2"
    assert target.returns == "int" and target.returns_value
    assert "*args" in target.signature and "**kwargs" in target.signature
    # griffe reports `()` and `{}` as the defaults of variadics; nobody wrote them.
    assert target.parameters[2].default is None and target.parameters[5].default is None
    assert "=" not in target.signature.split("*args")[1].split(",")[0] and target.signature.endswith("**kwargs) -> int")


def test_stub_next_to_module_and_stub_only_module(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {
        "m.py": "def f(x):\n    return x\n",
        "m.pyi": "def f(x: int) -> int: ...\n",
        "_native.pyi": "def fast(n: int) -> int: ...\n",
    }, private=True)
    found = targets(result)
    assert found["pkg.m.f"].parameters[0].annotation == "int"
    assert "pkg._native.fast" in found


def test_dataclass_namedtuple_typeddict_fields_are_attributes(tmp_path: Path) -> None:
    found = targets(scan_files(tmp_path, {"m.py": """
        from dataclasses import dataclass
        from typing import NamedTuple, TypedDict
        @dataclass
        class D:
            x: int
            y: str = "a"
        class N(NamedTuple):
            a: int
            b: float = 0.0
        class T(TypedDict):
            key: str
    """}))
    assert found["pkg.m.D"].attributes == ("x", "y") and found["pkg.m.D"].parameters == ()
    assert found["pkg.m.D.x"].kind == "attribute"
    assert "pkg.m.D.__init__" not in found
    assert found["pkg.m.N"].attributes == ("a", "b")
    assert found["pkg.m.T"].attributes == ("key",)


def test_properties_setters_and_cached_property(tmp_path: Path) -> None:
    found = targets(scan_files(tmp_path, {"m.py": """
        from functools import cached_property
        class A:
            @property
            def p(self) -> int:
                return 1
            @p.setter
            def p(self, value: int) -> None: ...
            @cached_property
            def c(self) -> str:
                return "x"
    """}))
    assert found["pkg.m.A.p"].kind == "property" and found["pkg.m.A.c"].kind == "property"
    assert found["pkg.m.A.p"].parameters == () and not found["pkg.m.A.p"].returns_value


def test_overload_stack_is_one_target(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {"m.py": """
        from typing import overload
        @overload
        def f(x: int) -> int: ...
        @overload
        def f(x: str) -> str: ...
        def f(x):
            return x
    """})
    assert [t.path for t in result.targets if t.path.endswith(".f")] == ["pkg.m.f"]


def test_generators_coroutines_and_context_managers(tmp_path: Path) -> None:
    found = targets(scan_files(tmp_path, {"m.py": """
        import types
        from contextlib import contextmanager
        def gen():
            yield 1
        async def agen():
            yield 1
        async def coro() -> int:
            return 1
        @types.coroutine
        def old():
            yield
        @contextmanager
        def cm():
            yield 1
        def outer():
            def inner():
                yield 1
            return inner
    """}))
    assert found["pkg.m.gen"].yields and not found["pkg.m.gen"].returns_value
    assert found["pkg.m.agen"].yields and found["pkg.m.agen"].is_async
    assert found["pkg.m.coro"].is_async and found["pkg.m.coro"].returns_value and not found["pkg.m.coro"].yields
    assert found["pkg.m.old"].is_async and not found["pkg.m.old"].yields
    assert found["pkg.m.cm"].returns_value and not found["pkg.m.cm"].yields
    assert found["pkg.m.outer"].returns_value and not found["pkg.m.outer"].yields


def test_lambdas_partials_main_guard_and_conditional_imports(tmp_path: Path) -> None:
    found = targets(scan_files(tmp_path, {"m.py": """
        from functools import partial
        from typing import TYPE_CHECKING
        try:
            import json
        except ImportError:
            json = None
        if TYPE_CHECKING:
            from collections.abc import Sequence
        square = lambda x: x * x
        base2 = partial(int, base=2)
        def kept(): ...
        if __name__ == "__main__":
            def demo(): ...
            demo()
    """}))
    assert found["pkg.m.square"].kind == "attribute" and found["pkg.m.base2"].kind == "attribute"
    assert "pkg.m.demo" not in found and "pkg.m.kept" in found
    assert "pkg.m.Sequence" not in found


def test_raises_lists_exception_classes_not_reraised_objects(tmp_path: Path) -> None:
    target = targets(scan_files(tmp_path, {"m.py": """
        def f(x):
            try:
                return x()
            except KeyError as e:
                raise e
            except OSError as exc:
                raise self.error(exc) from None
            raise errors.BadInput("x")
            raise ValueError
    """}))["pkg.m.f"]
    assert target.raises == ("errors.BadInput", "ValueError")


def test_a_main_module_is_a_script_not_api(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {"__main__.py": 'def cli():\n    """Run."""\ndef helper(): ...\n', "m.py": "def f(): ...\n"})
    paths = {t.path for t in result.targets} | {d.path for d in result.documented}
    assert "pkg.m.f" in paths and not any("__main__" in p for p in paths)


def test_unresolvable_decorator_and_syntax_error_do_not_abort(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {
        "m.py": "from nowhere import magic\n@magic.deco(1)\ndef f(x): ...\n",
        "bad.py": "x = 1\ndef broken(:\n    pass\n",
    })
    assert "pkg.m.f" in targets(result)
    assert targets(result)["pkg.m.f"].decorators == ("magic.deco(1)",)
    warning = next(w for w in result.warnings if "does not parse" in w.message)
    assert warning.filepath.endswith("bad.py") and warning.lineno == 2
    assert "bad.py:2" in str(warning)


def test_reexports_make_private_modules_public_once(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {
        "__init__.py": "from pkg._impl import decode, Codec\nfrom pkg._impl import decode as parse\n__all__ = ['decode', 'parse', 'Codec']\n",
        "_impl.py": "def decode(b): ...\ndef _hidden(): ...\ndef internal(): ...\nclass Codec:\n    def run(self): ...\n    def _private(self): ...\n",
    })
    found = targets(result)
    assert set(found["pkg._impl.decode"].aliases) == {"pkg.decode", "pkg.parse"}
    assert [t.path for t in result.targets].count("pkg._impl.decode") == 1
    assert "pkg._impl.Codec.run" in found and found["pkg._impl.Codec.run"].aliases == ("pkg.Codec.run",)
    assert "pkg._impl.internal" not in found and "pkg._impl.Codec._private" not in found


def test_imports_without_all_reexport_only_from_a_package_init(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {
        "__init__.py": "from pkg._impl import decode\n",
        "_impl.py": "def decode(b): ...\nclass Helper:\n    def run(self): ...\n",
        "api.py": "import pkg.core\nfrom pkg._impl import Helper\nfrom pkg.core import Engine\n",
        "core.py": "class Engine:\n    def start(self): ...\n",
    })
    found = targets(result)
    assert found["pkg._impl.decode"].aliases == ("pkg.decode",)
    assert "pkg._impl.Helper" not in found  # imported by a plain module for its own use
    assert found["pkg.core.Engine.start"].aliases == ()  # neither `pkg.api.Engine` nor `pkg.api.pkg.core...`
    excluded = targets(scan(make_package(tmp_path, {}).replace(exclude=["pkg.api.*"])))
    assert "pkg.core.Engine" in excluded and "pkg._impl.decode" in excluded


def test_excluding_a_module_that_reexports_keeps_what_is_public_elsewhere(tmp_path: Path) -> None:
    settings = make_package(tmp_path, {
        "__init__.py": "from pkg._impl import decode\n",
        "_impl.py": "def decode(b): ...\n",
        "core.py": "class Engine: ...\n",
        "compat/__init__.py": "from pkg.core import Engine\ndef shim(): ...\n",
    })
    kept = targets(scan(settings.replace(exclude=["pkg.compat*"])))
    assert "pkg.core.Engine" in kept and "pkg.compat.shim" not in kept
    assert "pkg._impl.decode" not in targets(scan(settings.replace(exclude=["pkg.decode"])))  # its only public path
    assert "pkg._impl.decode" not in targets(scan(settings.replace(exclude=["pkg._impl.*"])))  # its own path


def test_all_dunders_private_and_tests(tmp_path: Path) -> None:
    files = {
        "m.py": "__all__ = ['shown', 'K']\ndef shown(): ...\ndef not_exported(): ...\nclass K:\n    def __repr__(self): ...\n    def __call__(self): ...\n    def _p(self): ...\n",
        "tests/__init__.py": "", "tests/test_x.py": "def test_a(): ...\n", "test_util.py": "def helper(): ...\n",
    }
    found = targets(scan_files(tmp_path, files))
    assert "pkg.m.shown" in found and "pkg.m.not_exported" not in found
    assert "pkg.m.K.__call__" in found and "pkg.m.K.__repr__" not in found and "pkg.m.K._p" not in found
    assert not any(".tests" in p or "test_util" in p for p in found)
    wider = targets(scan(make_package(tmp_path, {}).replace(private=True, special_methods=True, exclude_tests=False)))
    assert {"pkg.m.K.__repr__", "pkg.m.K._p", "pkg.tests.test_x.test_a"} <= set(wider)


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    settings = make_package(tmp_path, {"__init__.py": "", "a.py": "def f(): ...\ndef g(): ...\n", "b.py": "def h(): ...\n"})
    assert set(targets(scan(settings.replace(include=["pkg.a.*"])))) == {"pkg.a.f", "pkg.a.g"}
    assert "pkg.a.g" not in targets(scan(settings.replace(exclude=["*.g"])))


def test_inherited_docstrings_count_as_documented(tmp_path: Path) -> None:
    files = {"m.py": textwrap.dedent('''
        class Base:
            def run(self):
                """Run it."""
            @property
            def size(self) -> int:
                """The size."""
        class Child(Base):
            def run(self): ...
            def other(self): ...
            @property
            def size(self) -> int: ...
    ''')}
    result = scan_files(tmp_path, files)
    assert "pkg.m.Child.run" not in targets(result) and "pkg.m.Child.other" in targets(result)
    assert {"pkg.m.Child.run", "pkg.m.Child.size"} <= {d.path for d in result.documented}
    assert "pkg.m.Child.run" in targets(scan(make_package(tmp_path, {}).replace(inherit_docstrings=False)))


def test_annotated_doc_parameters_are_documented_already(tmp_path: Path) -> None:
    target = targets(scan_files(tmp_path, {"m.py": """
        from typing import Annotated
        from typing_extensions import Doc
        def f(a: Annotated[int, Doc("How many.")], b: int) -> None: ...
    """}))["pkg.m.f"]
    assert target.parameters[0].doc == "How many." and [p.name for p in target.drafted_parameters] == ["b"]


def test_content_key_survives_a_move_and_changes_with_the_source(tmp_path: Path) -> None:
    source = "def area(r: float) -> float:\n    return 3.14 * r * r\n"
    one = targets(scan_files(tmp_path / "one", {"geometry.py": source}))["pkg.geometry.area"]
    moved = targets(scan_files(tmp_path / "two", {"shapes/__init__.py": "", "shapes/calc.py": "\n\n" + source}))["pkg.shapes.calc.area"]
    changed = targets(scan_files(tmp_path / "three", {"geometry.py": source.replace("3.14", "3.1416")}))["pkg.geometry.area"]
    assert one.key == moved.key
    assert one.key != changed.key


def test_long_source_is_truncated_with_a_marker(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(2000))
    target = targets(scan_files(tmp_path, {"m.py": f"def big():\n{body}    return x1\n"}, max_source_chars=500))["pkg.m.big"]
    assert len(target.source) < 700 and "source truncated" in target.source


def test_unknown_package_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="'nope_pkg_77' was not found") as info:
        scan(Settings(root=tmp_path).replace(packages=["nope_pkg_77"], search_paths=[str(tmp_path)]))
    assert f"searched {tmp_path}, the current directory and sys.path)" in str(info.value)


def test_example_package_targets_are_exactly_the_undocumented_public_objects(tmp_path: Path) -> None:
    from conftest import EXAMPLE_DOCS
    from docgap.settings import load_settings

    result = scan(load_settings(EXAMPLE_DOCS / "pyproject.toml", {"cache_dir": str(tmp_path / "cache")}))
    found = targets(result)
    expected_some = {"example_pkg._impl.decode", "example_pkg.shapes.Circle", "example_pkg.shapes.Color.RED",
                     "example_pkg.shapes.Point.x", "example_pkg.text.iter_lines", "example_pkg.text.opened",
                     "example_pkg.text.normalize", "example_pkg.text.Tokenizer.__call__", "example_pkg.VERSION"}
    assert expected_some <= set(found)
    never = {"example_pkg._impl._strip_bom", "example_pkg.text.demo", "example_pkg.text.Tokenizer.__repr__",
             "example_pkg.shapes.Point.__init__", "example_pkg.shapes.Circle._radius", "example_pkg.text.logged"}
    assert not never & set(found)
    assert found["example_pkg._impl.decode"].aliases == ("example_pkg.decode",)
    assert result.warnings == ()


@pytest.mark.slow
def test_a_large_package_scans(tmp_path: Path) -> None:
    files = {"__init__.py": ""}
    for m in range(50):
        files[f"m{m}.py"] = "".join(f"def f{i}(a, b=1):\n    return a + b\n" for i in range(400))
    result = scan(make_package(tmp_path, files))
    assert len(result.targets) == 50 * 401 + 1  # functions and modules, plus the package


def test_scan_cache_serves_unchanged_packages_and_misses_on_any_change(tmp_path: Path) -> None:
    settings = make_package(tmp_path, {"__init__.py": "", "m.py": "def f(a): ...\n"}).replace(cache_dir=str(tmp_path / "c"))
    first = scan(settings)
    assert scan(settings) == first
    (tmp_path / "pkg" / "m.py").write_text("def f(a, b): ...\n")
    changed = targets(scan(settings))["pkg.m.f"]
    assert params(changed) == ["a", "b"]
    assert params(targets(scan(settings.replace(private=True)))["pkg.m.f"]) == ["a", "b"]


def test_scan_cache_follows_the_package_the_loader_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A directory named like the package in the working directory is what griffe loads first;
    # the cache must watch that copy, not another one on the search paths.
    installed = make_package(tmp_path / "site", {"__init__.py": "", "m.py": "def f(a): ...\n"})
    make_package(tmp_path / "work", {"__init__.py": "", "m.py": "def f(a): ...\n"})
    monkeypatch.chdir(tmp_path / "work")
    settings = installed.replace(cache_dir=str(tmp_path / "c"))
    assert params(targets(scan(settings))["pkg.m.f"]) == ["a"]
    (tmp_path / "work" / "pkg" / "m.py").write_text("def f(a, b): ...\n")
    assert params(targets(scan(settings))["pkg.m.f"]) == ["a", "b"]


def test_scan_cache_is_not_served_to_a_changed_scanner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan_module = importlib.import_module("docgap.scan")  # `docgap.scan` is also the function's name
    scan_cache = importlib.import_module("docgap.scan_cache")

    settings = make_package(tmp_path, {"__init__.py": "", "m.py": "def f(*args): ...\n"}).replace(cache_dir=str(tmp_path / "c"))
    scan(settings)
    loads: list[Settings] = []
    real = scan_module._scan_packages
    monkeypatch.setattr(scan_module, "_scan_packages", lambda s: loads.append(s) or real(s))
    scan(settings)
    assert loads == []  # unchanged packages, same scanner: served from the cache
    monkeypatch.setattr(scan_cache, "_scanner_identity", lambda: "an upgraded griffe or an edited docgap.scan")
    scan(settings)
    assert loads == [settings]


def test_doc_comments_document_attributes_and_aliases_are_not_targets(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {"m.py": '''
        def fn(a): ...
        class C: ...
        #: Documented above,
        #: on two lines.
        ABOVE = 1
        TRAILING = 2  #: Documented on its line.
        PLAIN = 3  # an ordinary comment
        TEXT = "#: inside a string"
        alias = fn
        Alias = C
    '''})
    found = targets(result)
    documented = {d.path for d in result.documented}
    assert {"pkg.m.ABOVE", "pkg.m.TRAILING"} <= documented
    assert {"pkg.m.PLAIN", "pkg.m.TEXT", "pkg.m.fn", "pkg.m.C"} <= set(found)
    assert not {"pkg.m.alias", "pkg.m.Alias"} & (set(found) | documented)
