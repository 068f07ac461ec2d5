"""`docgap export --patch`: drafts inserted as real docstrings, in a patch `patch -p1` and `git apply` take."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import py_compile
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLE_DOCS, tree_hash
from docgap.cli import main
from docgap.drafts import Draft, Record, Resolved
from docgap.export import make_patch
from docgap.insert import Docstring, docstring_lines, insert_docstrings
from docgap.review import Review
from docgap.settings import Settings
from docgap.targets import Target
from fake_openai import FakeOpenAI

TOOLS = {"patch": ["patch", "-p1", "--batch", "--silent", "-i"], "git apply": ["git", "apply"]}


def node_at(tree: ast.Module, name: str) -> ast.AST:
    """The module (name `""`), or the class or function at a qualified name."""
    node: ast.AST = tree
    for part in filter(None, name.split(".")):
        node = next(n for n in ast.walk(node) if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                    and n.name == part)
    return node


def docstring_of(source: str, name: str) -> str | None:
    """What Python reads as the docstring of `name` in `source`."""
    return ast.get_docstring(node_at(ast.parse(source), name))  # type: ignore[arg-type]


def attribute_doc(source: str, name: str) -> str | None:
    """The string literal right after the assignment binding `name` (`x` or `self.x`), as griffe reads it."""
    for node in ast.walk(ast.parse(source)):
        for statements in (v for _, v in ast.iter_fields(node) if isinstance(v, list)):
            for stmt, after in zip(statements, statements[1:]):
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and name in ast.unparse(stmt).split("=")[0] \
                        and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                    return inspect.cleandoc(after.value.value)
    return None


def inserted(source: str, *docstrings: Docstring) -> str:
    result = insert_docstrings(source, docstrings)
    assert result.skipped == ()
    compile(result.source, "<patched>", "exec")
    return result.source


# --- where docstrings go -----------------------------------------------------------------------


def test_function_one_line_docstring_on_one_line() -> None:
    source = "def f(x):\n    return x\n"
    result = inserted(source, Docstring("f", "function", 1, "Return x."))
    assert result == 'def f(x):\n    """Return x."""\n    return x\n'
    assert docstring_of(result, "f") == "Return x."


def test_multi_line_docstring_closes_on_its_own_line() -> None:
    text = "Add.\n\nArgs:\n    a: One.\n    b: Two."
    result = inserted("def add(a, b):\n    return a + b\n", Docstring("add", "function", 1, text))
    assert result == ('def add(a, b):\n    """Add.\n\n    Args:\n        a: One.\n        b: Two.\n    """\n'
                      "    return a + b\n")
    assert docstring_of(result, "add") == text


def test_decorators_multi_line_signature_and_async_def() -> None:
    source = ("@cache(key=lambda x: x[1:2])\n"
              "@other\n"
              "async def fetch(\n"
              "    url: str,  # where: the server\n"
              "    timeout: float = 1.0,\n"
              ") -> dict[str, int]:\n"
              "    # a comment before the body\n"
              "    return {}\n")
    for line in (1, 3):  # the first decorator's line or the `def` line: griffe reports the latter
        result = inserted(source, Docstring("fetch", "function", line, "Fetch a page."))
        assert result == source.replace(") -> dict[str, int]:\n",
                                         ') -> dict[str, int]:\n    """Fetch a page."""\n')
        assert docstring_of(result, "fetch") == "Fetch a page."


def test_one_line_bodies_are_split() -> None:
    source = "def f(): return 1  # one\nclass A: pass\n"
    result = inserted(source, Docstring("f", "function", 1, "One."), Docstring("A", "class", 2, "A thing."))
    assert result == ('def f():\n    """One."""\n    return 1  # one\n'
                      'class A:\n    """A thing."""\n\n    pass\n')
    assert docstring_of(result, "f") == "One." and docstring_of(result, "A") == "A thing."


def test_nested_classes_and_methods_follow_the_files_tabs() -> None:
    source = ("class Outer:\n"
              "\tclass Inner:\n"
              "\t\tdef run(self): pass\n"
              "\n"
              "\t\t@property\n"
              "\t\tdef size(self):\n"
              "\t\t\treturn 1\n")
    result = inserted(source, Docstring("Outer.Inner", "class", 2, "Inner part."),
                      Docstring("Outer.Inner.run", "method", 3, "Run it.\n\nReturns:\n    Nothing."),
                      Docstring("Outer.Inner.size", "property", 6, "The size."))
    assert result == ("class Outer:\n"
                      "\tclass Inner:\n"
                      '\t\t"""Inner part."""\n'
                      "\n"
                      "\t\tdef run(self):\n"
                      '\t\t\t"""Run it.\n'
                      "\n"
                      "\t\t\tReturns:\n"
                      "\t\t\t    Nothing.\n"
                      '\t\t\t"""\n'
                      "\t\t\tpass\n"
                      "\n"
                      "\t\t@property\n"
                      "\t\tdef size(self):\n"
                      '\t\t\t"""The size."""\n'
                      "\t\t\treturn 1\n")
    assert docstring_of(result, "Outer.Inner.run") == "Run it.\n\nReturns:\n    Nothing."
    assert docstring_of(result, "Outer.Inner") == "Inner part."
    assert docstring_of(result, "Outer.Inner.size") == "The size."


def test_crlf_file_stays_crlf() -> None:
    source = "import os\r\n\r\ndef f():\r\n    return os.sep\r\n"
    result = inserted(source, Docstring("", "module", 1, "Paths."), Docstring("f", "function", 3, "Sep.\n\nMore."))
    assert result == ('"""Paths."""\r\n\r\nimport os\r\n\r\ndef f():\r\n    """Sep.\r\n\r\n    More.\r\n    """\r\n'
                      "    return os.sep\r\n")
    assert docstring_of(result, "f") == "Sep.\n\nMore." and docstring_of(result, "") == "Paths."


def test_file_without_final_newline_keeps_it_so() -> None:
    source = "X = 1\ndef f(): pass"
    result = inserted(source, Docstring("X", "attribute", 1, "One."), Docstring("f", "function", 2, "F."))
    assert result == 'X = 1\n"""One."""\ndef f():\n    """F."""\n    pass'
    assert attribute_doc(result, "X") == "One." and docstring_of(result, "f") == "F."


def test_module_docstring_after_shebang_and_encoding_before_future_import() -> None:
    source = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nfrom __future__ import annotations\n\nX = 1\n"
    result = inserted(source, Docstring("", "module", 1, "A script."))
    assert result == ('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n"""A script."""\n\n'
                      "from __future__ import annotations\n\nX = 1\n")
    assert docstring_of(result, "") == "A script."
    assert inserted("", Docstring("", "module", 1, "Empty.")) == '"""Empty."""\n'
    with_bom = insert_docstrings("\ufeffimport os\n", [Docstring("", "module", 1, "BOM.")]).source
    assert with_bom == '\ufeff"""BOM."""\n\nimport os\n'  # the byte order mark stays first


def test_attributes_after_their_assignment() -> None:
    source = ("LIMITS = (\n"
              "    1,\n"
              "    2,\n"
              ")\n"
              "class Point:\n"
              "    x: float\n"
              "    y: float = 0.0  # a comment\n"
              "    def __init__(self, tag):\n"
              "        self.tag = tag\n")
    result = inserted(source, Docstring("LIMITS", "attribute", 1, "The limits."),
                      Docstring("Point.x", "attribute", 6, "Across."), Docstring("Point.y", "attribute", 7, "Up."),
                      Docstring("Point.tag", "attribute", 9, "A tag."))
    assert result == ('LIMITS = (\n    1,\n    2,\n)\n"""The limits."""\n'
                      'class Point:\n    x: float\n    """Across."""\n    y: float = 0.0  # a comment\n    """Up."""\n'
                      '    def __init__(self, tag):\n        self.tag = tag\n        """A tag."""\n')
    assert [attribute_doc(result, n) for n in ("LIMITS", "x", "y", "tag")] == ["The limits.", "Across.", "Up.", "A tag."]


@pytest.mark.parametrize(("text", "literal"), [
    ("Split on ``\\n``\\ .", 'r"""Split on ``\\n``\\ ."""'),  # backslashes: a raw string
    ('Say """hi""".', '"""Say \\"\\""hi\\"\\""."""'),  # embedded triple quotes: no run of two left
    ('Quote "x"', '"""Quote "x\\""""'),  # a quote before the closing ones
    ('Path C:\\dir\\', '"""Path C:\\\\dir\\\\"""'),  # a raw string cannot end with a backslash
    ('A \\d and """', '"""A \\\\d and \\"\\"\\""""'),  # backslash and triple quotes: no raw string
    ("Bell \x07 and \r.", '"""Bell \\x07 and \\x0d."""'),  # control characters: escaped
])
def test_quoting(text: str, literal: str) -> None:
    assert docstring_lines(text, "") == [literal + "\n"]
    result = inserted("def f():\n    pass\n", Docstring("f", "function", 1, text))
    assert result == f"def f():\n    {literal}\n    pass\n"
    assert docstring_of(result, "f") == text


def test_multi_line_raw_docstring() -> None:
    text = "Match ``\\d+``.\n\nExamples:\n    >>> find('a1')"
    result = inserted("def find(s):\n    pass\n", Docstring("find", "function", 1, text))
    assert result.startswith('def find(s):\n    r"""Match ``\\d+``.\n')
    assert docstring_of(result, "find") == text


def test_what_cannot_be_placed_is_skipped_with_the_reason() -> None:
    source = "a = 1; b = 2\nif True: c = 3\nd = e = 4\ndef f():\n    ''\n"
    result = insert_docstrings(source, [Docstring("a", "attribute", 1, "A."), Docstring("b", "attribute", 1, "B."),
                                        Docstring("c", "attribute", 2, "C."), Docstring("d", "attribute", 3, "D."),
                                        Docstring("e", "attribute", 3, "E."), Docstring("f", "function", 4, "F."),
                                        Docstring("g", "function", 9, "G.")])
    assert result.inserted == ("d",) and result.missing == ("g",)
    reasons = dict(result.skipped)
    assert set(reasons) == {"a", "b", "c", "e", "f"}
    assert "shares a line" in reasons["a"] and "shares a line" in reasons["b"] and "shares a line" in reasons["c"]
    assert "one statement defines it and d" in reasons["e"]
    assert "string literal already" in reasons["f"]
    assert result.source == source.replace("d = e = 4\n", 'd = e = 4\n"""D."""\n')


# --- the patch -----------------------------------------------------------------------------------


def project(tmp_path: Path, files: dict[str, bytes], **settings: object) -> Settings:
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return Settings(packages=("pkg",), search_paths=(tmp_path,), root=tmp_path, **settings)  # type: ignore[arg-type]


def resolved(path: str, kind: str, lineno: int, draft: Draft, *, review: Review | None = None) -> Resolved:
    module = path if kind == "module" else path.rpartition(".")[0]
    target = Target(path=path, kind=kind, key=f"key-{path}", module=module, lineno=lineno,  # type: ignore[arg-type]
                    filepath=f"{module.replace('.', '/')}.py")
    return Resolved(target, Record(draft, "openai", "fake-model"), "cache", review=review)


def apply(tool: str, patch: str, where: Path) -> None:
    if shutil.which(TOOLS[tool][0]) is None:
        pytest.skip(f"{tool} is not installed")
    (where / "the.patch").write_bytes(patch.encode())
    proc = subprocess.run([*TOOLS[tool], "the.patch"], cwd=where, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (where / "the.patch").unlink()


@pytest.mark.parametrize("tool", list(TOOLS))
def test_patch_of_crlf_and_unterminated_files_applies_exactly(tool: str, tmp_path: Path) -> None:
    files = {"pkg/__init__.py": b"", "pkg/crlf.py": b"def f():\r\n    return 1\r\n",
             "pkg/open.py": b"import os\n\nX = os.sep"}
    settings = project(tmp_path / "src", files)
    patch = make_patch([resolved("pkg.crlf.f", "function", 1, Draft("One.", description="Always.")),
                        resolved("pkg.open", "module", 1, Draft("Separators.")),
                        resolved("pkg.open.X", "attribute", 3, Draft("The separator."))], settings)
    assert patch.files == ("pkg/crlf.py", "pkg/open.py")
    assert patch.exported == ("pkg.crlf.f", "pkg.open", "pkg.open.X") and patch.skipped == ()
    assert patch.text.startswith("--- a/pkg/crlf.py\n+++ b/pkg/crlf.py\n")
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "src", copy)
    apply(tool, patch.text, copy)
    assert (copy / "pkg/crlf.py").read_bytes() == b'def f():\r\n    """One.\r\n\r\n    Always.\r\n    """\r\n    return 1\r\n'
    assert (copy / "pkg/open.py").read_bytes() == b'"""Separators."""\n\nimport os\n\nX = os.sep\n"""The separator."""'
    assert {name: (tmp_path / "src" / name).read_bytes() for name in files} == files  # the sources as they were


def test_style_reviewed_only_and_empty_drafts(tmp_path: Path) -> None:
    settings = project(tmp_path, {"pkg/__init__.py": b"def f(x):\n    return x\n\ndef g():\n    pass\n"}, style="numpy")
    draft = Draft("Echo.", parameters={"x": "The value."}, returns="The value.")
    review = Review(key="key-pkg.f", verdict="accepted", by="Ann", date="2026-11-29T15:40:00Z", text="hash")
    items = [resolved("pkg.f", "function", 1, draft, review=review), resolved("pkg.g", "function", 4, Draft("Nothing."))]
    everything = make_patch(items, settings)
    assert everything.exported == ("pkg.f", "pkg.g")
    assert "+    Returns\n+    -------\n" in everything.text  # the numpy style configured
    reviewed = make_patch(items, settings, reviewed_only=True)
    assert reviewed.exported == ("pkg.f",) and '"""Nothing."""' not in reviewed.text
    empty = make_patch([resolved("pkg.g", "function", 4, Draft(""))], settings)
    assert empty.text == "" and empty.exported == ()
    assert empty.empty == ("pkg.g",) and empty.skipped == ()


def test_a_file_changed_since_the_scan_is_reported_not_guessed(tmp_path: Path) -> None:
    settings = project(tmp_path, {"pkg/__init__.py": b"\n\ndef f():\n    pass\n"})
    patch = make_patch([resolved("pkg.f", "function", 1, Draft("F."))], settings)
    assert patch.text == "" and patch.exported == ()
    assert patch.skipped[0].path == "pkg.f" and "pkg/__init__.py:1: no function named 'f' at this line" in patch.skipped[0].reason


def test_an_object_only_a_stub_defines_goes_into_the_stub(tmp_path: Path) -> None:
    settings = project(tmp_path, {"pkg/__init__.py": b"from pkg._impl import Thing\n",
                                  "pkg/__init__.pyi": b"class Thing:\n    size: int\n"})
    items = [resolved("pkg.Thing", "class", 1, Draft("A thing.")), resolved("pkg.Thing.size", "attribute", 2, Draft("Size."))]
    items = [Resolved(dataclasses.replace(r.target, module="pkg", filepath="pkg/__init__.py"), r.record, r.origin)
             for r in items]
    patch = make_patch(items, settings)
    assert patch.files == ("pkg/__init__.pyi",) and patch.exported == ("pkg.Thing", "pkg.Thing.size")
    assert patch.skipped == ()
    assert '+    """A thing."""\n+\n     size: int\n+    """Size."""\n' in patch.text


# --- the command, end to end on example_docs ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("tool", list(TOOLS))
def test_export_applies_compiles_and_leaves_no_gap(tool: str, example_docs: Path, tmp_path: Path, server: FakeOpenAI,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    repository = tree_hash(EXAMPLE_DOCS / "example_pkg")
    sources = tree_hash(example_docs / "example_pkg")
    model = ["--provider", "openai", "--model", "fake-model", "--base-url", server.url]
    monkeypatch.chdir(example_docs)
    assert main(["fill", *model]) == 0
    capsys.readouterr()
    patch_file = tmp_path / "drafts.patch"
    assert main(["export", "--patch", str(patch_file), "--json", *model]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"] == [] and report["missing"] == [] and len(report["exported"]) > 20
    assert sorted(report["files"]) == ["example_pkg/__init__.py", "example_pkg/_impl.py", "example_pkg/shapes.py",
                                       "example_pkg/text.py"]
    assert tree_hash(example_docs / "example_pkg") == sources
    assert tree_hash(EXAMPLE_DOCS / "example_pkg") == repository

    applied = tmp_path / "applied"
    shutil.copytree(example_docs, applied, ignore=shutil.ignore_patterns(".docgap", "docgap.lock.json"))
    apply(tool, patch_file.read_text(encoding="utf-8"), applied)
    for file in (applied / "example_pkg").glob("*.py"):
        py_compile.compile(str(file), cfile=str(tmp_path / "compiled.pyc"), doraise=True)
    monkeypatch.chdir(applied)
    capsys.readouterr()
    assert main(["scan", "--json"]) == 0
    totals = json.loads(capsys.readouterr().out)["totals"]
    assert totals["missing"] == totals["filled"] == 0 and totals["documented"] == totals["objects"] > 30


@pytest.mark.slow
def test_export_command_errors_and_reviewed_only(example_docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str], no_model_env: None) -> None:
    monkeypatch.chdir(example_docs)
    assert main(["fill"]) == 0
    capsys.readouterr()
    assert main(["export", "--patch", str(tmp_path / "none.patch"), "--reviewed-only"]) == 0
    assert (tmp_path / "none.patch").read_bytes() == b""
    assert "wrote 0 docstrings in 0 files" in capsys.readouterr().out
    assert main(["export", "--patch", str(tmp_path / "all.patch"), "--json"]) == 0
    offline = json.loads((captured := capsys.readouterr()).out)
    assert offline["exported"] and offline["empty"] and not set(offline["exported"]) & set(offline["empty"])
    assert f"{len(offline['empty'])} empty drafts not exported" in captured.err
    assert main(["review", "example_pkg.shapes.DEFAULT_PRECISION", "--accept", "--by", "Ann"]) == 0
    capsys.readouterr()
    assert main(["export", "--patch", str(tmp_path / "one.patch"), "--reviewed-only", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["exported"] == ["example_pkg.shapes.DEFAULT_PRECISION"]
    added = [line for line in (tmp_path / "one.patch").read_text().splitlines() if line[:1] == "+" and line[:3] != "+++"]
    assert len(added) == 1 and added[0].startswith('+"""Set to ``6``.')  # its one-line docstring, and nothing else
    assert main(["export", "--patch", str(tmp_path / "missing-dir" / "x.patch")]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"docgap: error: {tmp_path / 'missing-dir' / 'x.patch'}: cannot write the patch")
    assert "--patch" in error
    with pytest.raises(SystemExit) as exit_:
        main(["export"])
    assert exit_.value.code == 2 and "--patch" in capsys.readouterr().err
