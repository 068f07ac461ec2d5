"""Small documentation sites over real PyPI packages, and how to write each one to disk.

Each `SiteSpec` describes one package's Sphinx site (a few `automodule` pages, one page of
`autoclass` / `autodata` / `autoattribute` on module data, some modules left unrendered) and its
MkDocs + mkdocstrings site (a couple of `::: module` pages). `write_sphinx` and `write_mkdocs`
turn a spec plus a `Variant` (plain, or docgap with a provider) into a buildable directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Variant:
    """One way of building a site.

    Attributes:
        name: Short name in tables (`plain`, `signature`, `model`, `model-j2`).
        docgap: Whether docgap is enabled.
        provider: docgap provider (`signature` or `openai`), when enabled.
        jobs: Parallel Sphinx jobs (`-j`); 1 builds serially.
    """

    name: str
    docgap: bool = False
    provider: str = "signature"
    jobs: int = 1


@dataclass(frozen=True)
class SiteSpec:
    """A Sphinx and an MkDocs site over one installed package.

    Attributes:
        name: Site name (also the directory name).
        packages: Import names docgap fills and whose sources are hashed.
        sphinx_pages: reST file name (without `.rst`) → body; `index` is generated.
        sphinx_extensions: Extra Sphinx extensions (napoleon for Google-style docstrings).
        sphinx_style: docgap's rendering style for the Sphinx host.
        mkdocs_pages: Markdown file name (without `.md`) → body.
        mkdocs_options: mkdocstrings Python handler options.
        autoapi_dirs: Package directory names for a sphinx-autoapi variant (empty: none).
        not_rendered: Modules deliberately left out of every page (for the report).
    """

    name: str
    packages: tuple[str, ...]
    sphinx_pages: dict[str, str]
    mkdocs_pages: dict[str, str]
    sphinx_extensions: tuple[str, ...] = ()
    sphinx_style: str | None = None
    mkdocs_options: dict[str, Any] = field(default_factory=dict)
    autoapi_dirs: tuple[str, ...] = ()
    not_rendered: tuple[str, ...] = ()


def _auto(directive: str, target: str, *options: str) -> str:
    fields = (option.partition(":") for option in options)  # "members" or "exclude-members: a, b"
    return f".. {directive}:: {target}\n" + "".join(f"   :{name}:{value}\n" for name, _, value in fields) + "\n"


def _page(title: str, *blocks: str) -> str:
    return f"{title}\n{'=' * len(title)}\n\n" + "".join(blocks)


_MK_BASE: dict[str, Any] = {"show_root_heading": True, "show_source": False, "heading_level": 2,
                            "members_order": "source", "show_if_no_docstring": False}

SITES: dict[str, SiteSpec] = {
    "click": SiteSpec(
        name="click",
        packages=("click",),
        sphinx_pages={
            "core": _page("Core", _auto("automodule", "click.core", "members")),
            "decorators": _page("Decorators", _auto("automodule", "click.decorators", "members")),
            "exceptions": _page("Exceptions", _auto("automodule", "click.exceptions", "members", "show-inheritance")),
            "data": _page(
                "Types and data",
                _auto("autoclass", "click.types.Choice", "members"),
                _auto("autodata", "click.types.STRING"),
                _auto("autodata", "click.types.INT"),
                _auto("autoattribute", "click.shell_completion.ShellComplete.name"),
                _auto("autoattribute", "click.shell_completion.ShellComplete.cli"),
                _auto("autodata", "click.termui.visible_prompt_func"),
                _auto("autoclass", "click.testing.CliRunner", "members", "inherited-members"),
            ),
        },
        mkdocs_pages={"decorators": "# Decorators\n\n::: click.decorators\n", "types": "# Types\n\n::: click.types\n"},
        mkdocs_options={**_MK_BASE, "docstring_style": "sphinx"},
        not_rendered=("click.termui", "click.utils", "click.formatting", "click.parser", "click.shell_completion",
                      "click.globals"),
    ),
    "httpx": SiteSpec(
        name="httpx",
        packages=("httpx",),
        sphinx_pages={
            "api": _page("API", _auto("automodule", "httpx", "members",
                                      "exclude-members: Client, AsyncClient, codes, Auth, USE_CLIENT_DEFAULT")),
            "clients": _page("Clients", _auto("autoclass", "httpx.Client", "members", "inherited-members"),
                             _auto("autoclass", "httpx.codes", "members", "undoc-members")),
            "data": _page(
                "Data",
                _auto("autodata", "httpx.USE_CLIENT_DEFAULT"),
                _auto("autodata", "httpx._config.DEFAULT_TIMEOUT_CONFIG"),
                _auto("autoattribute", "httpx.Auth.requires_request_body"),
                _auto("autoattribute", "httpx.Auth.requires_response_body"),
            ),
        },
        mkdocs_pages={
            "client": "# Client\n\n::: httpx.Client\n    options:\n      inherited_members: true\n",
            "models": "# Models\n\n::: httpx.Response\n\n::: httpx.Request\n\n::: httpx.codes\n",
        },
        mkdocs_options={**_MK_BASE, "docstring_style": "google"},
        autoapi_dirs=("httpx",),
        not_rendered=("httpx._transports", "httpx._auth", "httpx._multipart", "httpx._decoders"),
    ),
    "attr": SiteSpec(
        name="attr",
        packages=("attr",),
        sphinx_pages={
            "api": _page("API", _auto("automodule", "attr", "members")),
            "validators": _page("Validators", _auto("automodule", "attr.validators", "members")),
            "data": _page(
                "Data",
                _auto("autodata", "attr.NOTHING"),
                _auto("autoclass", "attr.Attribute", "members"),
                _auto("autoattribute", "attr.Attribute.name"),
            ),
        },
        sphinx_extensions=("sphinx.ext.napoleon",),
        sphinx_style="google",
        mkdocs_pages={"validators": "# Validators\n\n::: attr.validators\n",
                      "converters": "# Converters\n\n::: attr.converters\n"},
        mkdocs_options={**_MK_BASE, "docstring_style": "auto",
                        "docstring_options": {"per_style_options": {"google": {"ignore_init_summary": True}}}},
        not_rendered=("attr.filters", "attr.setters", "attr.exceptions"),
    ),
    "attrs": SiteSpec(
        name="attrs",
        packages=("attrs",),
        sphinx_pages={"api": _page("API", _auto("automodule", "attrs", "members"))},
        sphinx_extensions=("sphinx.ext.napoleon",),
        sphinx_style="google",
        mkdocs_pages={"api": "# API\n\n::: attrs\n"},
        mkdocs_options={**_MK_BASE, "docstring_style": "google"},
    ),
    "packaging": SiteSpec(
        name="packaging",
        packages=("packaging",),
        sphinx_pages={
            "version": _page("Version", _auto("automodule", "packaging.version", "members")),
            "direct_url": _page("Direct URLs", _auto("automodule", "packaging.direct_url", "members")),
            "data": _page("Data", _auto("autodata", "packaging.version.VERSION_PATTERN"),
                          _auto("autoclass", "packaging.tags.Tag", "members")),
        },
        mkdocs_pages={"version": "# Version\n\n::: packaging.version\n",
                      "direct_url": "# Direct URLs\n\n::: packaging.direct_url\n"},
        mkdocs_options={**_MK_BASE, "docstring_style": "sphinx"},
        not_rendered=("packaging.metadata", "packaging.pylock", "packaging.licenses", "packaging.requirements"),
    ),
}


@dataclass(frozen=True)
class DocgapPaths:
    """Where a docgap build keeps its state, and which model server it talks to.

    Attributes:
        search_path: The site-packages directory holding the packages.
        cache_dir: The draft cache of this build.
        lockfile: The lockfile of this build.
        base_url: The fake OpenAI server's base URL (for `provider = "openai"`).
        model: The model name sent to it.
    """

    search_path: Path
    cache_dir: Path
    lockfile: Path
    base_url: str
    model: str = "fake-model"


def _docgap_settings(spec: SiteSpec, variant: Variant, paths: DocgapPaths) -> dict[str, Any]:
    settings: dict[str, Any] = {"packages": list(spec.packages), "search_paths": [str(paths.search_path)],
                                "cache_dir": str(paths.cache_dir), "lockfile": str(paths.lockfile),
                                "provider": variant.provider}
    if variant.provider == "openai":
        settings.update(model=paths.model, base_url=paths.base_url)
    return settings


def write_sphinx(spec: SiteSpec, variant: Variant, paths: DocgapPaths, site: Path, *, autoapi: bool = False) -> Path:
    """Write the Sphinx site of `spec` for `variant` into `site`.

    Args:
        spec: The site.
        variant: Plain, or docgap with a provider.
        paths: docgap's state and server.
        site: The source directory to create.
        autoapi: Build the API pages with sphinx-autoapi instead of the spec's autodoc pages.

    Returns:
        The source directory.
    """
    site.mkdir(parents=True, exist_ok=True)
    extensions = ["autoapi.extension"] if autoapi else ["sphinx.ext.autodoc", *spec.sphinx_extensions]
    if variant.docgap:
        extensions.append("docgap.sphinx")
    lines = [f"project = {spec.name!r}", f"extensions = {extensions!r}", "html_theme = 'alabaster'",
             "autodoc_member_order = 'bysource'"]
    if autoapi:
        lines += [f"autoapi_dirs = {[str(paths.search_path / d) for d in spec.autoapi_dirs]!r}",
                  "autoapi_add_toctree_entry = True", "autoapi_keep_files = False"]
    if variant.docgap:
        settings = _docgap_settings(spec, variant, paths)
        if spec.sphinx_style and not autoapi:
            settings["style"] = spec.sphinx_style
        lines += [f"docgap_{key} = {value!r}" for key, value in settings.items()]
    (site / "conf.py").write_text("\n".join(lines) + "\n")
    pages = {} if autoapi else spec.sphinx_pages
    toctree = "".join(f"   {name}\n" for name in pages)
    (site / "index.rst").write_text(_page(spec.name) + (f".. toctree::\n\n{toctree}" if toctree else ""))
    for name, body in pages.items():
        (site / f"{name}.rst").write_text(body)
    return site


def write_mkdocs(spec: SiteSpec, variant: Variant, paths: DocgapPaths, site: Path) -> Path:
    """Write the MkDocs + mkdocstrings site of `spec` for `variant` into `site`.

    Args:
        spec: The site.
        variant: Plain, or docgap with a provider.
        paths: docgap's state and server.
        site: The project directory to create (holding `mkdocs.yml` and `docs/`).

    Returns:
        The project directory.
    """
    docs = site / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(f"# {spec.name}\n")
    for name, body in spec.mkdocs_pages.items():
        (docs / f"{name}.md").write_text(body)
    plugins: list[Any] = ["search"]
    if variant.docgap:
        plugins.append({"docgap": _docgap_settings(spec, variant, paths)})
    plugins.append({"mkdocstrings": {"handlers": {"python": {"options": spec.mkdocs_options}}}})
    config = {"site_name": spec.name, "theme": {"name": "material"}, "plugins": plugins,
              "nav": [{"Home": "index.md"}, *({name: f"{name}.md"} for name in spec.mkdocs_pages)]}
    (site / "mkdocs.yml").write_text(json.dumps(config, indent=2))  # JSON is YAML
    return site
