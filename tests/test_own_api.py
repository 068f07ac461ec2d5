"""Only the package's own API is drafted: imported names, fallback definitions and test code are not."""

from __future__ import annotations

from pathlib import Path

from test_scan import make_package, scan_files, targets

from docgap.fallbacks import Verdict, fallbacks, verdict
from docgap.scan import scan


def test_names_imported_from_another_package_are_not_api_unless_exported(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {
        "m.py": """
            import os
            from os.path import join
            sep = join
            pjoin = os.path.join
            def own(): ...
        """,
        "e.py": """
            from os.path import join
            __all__ = ["joined", "own"]
            joined = join
            def own(): ...
        """,
    })
    found = targets(result)
    assert "pkg.m.own" in found and not {"pkg.m.sep", "pkg.m.pjoin", "pkg.m.join"} & set(found)
    assert "pkg.e.joined" in found  # re-exported by __all__: the package says it is its API
    assert not any(d.path.endswith((".sep", ".pjoin")) for d in result.documented)


def test_definitions_only_in_an_import_error_fallback_are_not_api(tmp_path: Path) -> None:
    found = targets(scan_files(tmp_path, {"m.py": """
        try:
            from os import fspath
            HAS_FSPATH = True
        except (ModuleNotFoundError, AttributeError):
            def fspath(path): return path
            def helper(): ...
            HAS_FSPATH = False
        def own(): ...
    """}))
    assert "pkg.m.own" in found and "pkg.m.HAS_FSPATH" in found  # defined in the try body too: API
    assert "pkg.m.fspath" not in found and "pkg.m.helper" not in found


def test_a_platform_branch_duplicate_is_documented_by_the_first_branch(tmp_path: Path) -> None:
    result = scan_files(tmp_path, {"m.py": """
        import sys
        if sys.platform == "win32":
            def getch():
                '''Read one key.'''
            def both(): ...
        elif sys.platform == "darwin":
            def getch(): ...
            def mac_only(): ...
        else:
            def getch(): ...
            @staticmethod
            def posix_only(): ...
            def both(): ...
    """})
    found = targets(result)
    assert "pkg.m.getch" not in found
    assert {d.path: d.text for d in result.documented}["pkg.m.getch"] == "Read one key."
    assert "pkg.m.both" in found  # undocumented in every branch: still API, drafted once
    assert not {"pkg.m.mac_only", "pkg.m.posix_only"} & set(found)


def test_an_ordinary_if_is_no_fallback() -> None:
    lines = ["if DEBUG:", "    def f(): ...", "else:", "    def g(): ..."]
    assert fallbacks(lines) == () and verdict("g", 4, fallbacks(lines)) is None


def test_packages_and_modules_named_test_are_test_code(tmp_path: Path) -> None:
    files = {"test/__init__.py": "", "test/helpers.py": "def make(): ...\n", "sub/test.py": "def check(): ...\n",
             "sub/__init__.py": "", "api.py": "def own(): ...\n"}
    found = targets(scan_files(tmp_path, files))
    assert "pkg.api.own" in found and not any(".test" in p for p in found)
    wider = targets(scan(make_package(tmp_path, {}).replace(exclude_tests=False)))
    assert {"pkg.test.helpers.make", "pkg.sub.test.check"} <= set(wider)


def test_fallback_blocks_are_found_in_code_that_cannot_be_cut_into_statements() -> None:
    lines = ["import sys", "class K:", "    try:", "        from os import sep", "    except ImportError:",
             "        def sep():", '            """Column-0 text', 'follows."""', "    def after(self): ..."]
    blocks = fallbacks(lines)  # the string's second line ends the statement by indentation: the module is parsed
    assert verdict("sep", 6, blocks) == Verdict(api=False) and verdict("after", 9, blocks) is None
