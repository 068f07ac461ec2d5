"""The node that marks generated text, where it goes in a doctree, and how each builder shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import _

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class docgap_generated(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """A block of generated documentation, with its provider, model, badge label and review (if any)."""


def wrap_generated(doctree: nodes.document, attributes_for: Callable[[str], dict[str, str] | None]) -> None:
    """Wrap the generated docstring of every object description docgap filled.

    A filled object had no docstring, so the content of its description up to its first member
    (an index entry or a nested description) is the draft, after the `Bases: ...` line autodoc
    writes for `:show-inheritance:`, which stays outside the block.

    Args:
        doctree: The document just read.
        attributes_for: Maps the name a description shows (`module.Qualified.name`) to the block's
            attributes, or `None` when docgap did not fill that object in this document.
    """
    for desc in list(doctree.findall(addnodes.desc)):
        signature = next(iter(desc.findall(addnodes.desc_signature)), None)
        content = next((c for c in desc.children if isinstance(c, addnodes.desc_content)), None)
        if signature is None or content is None or "fullname" not in signature:
            continue
        name = ".".join(p for p in (signature.get("module"), signature["fullname"]) if p)
        attributes = attributes_for(name)
        if attributes is None:
            continue
        block = docgap_generated(**attributes)
        children = list(content.children)
        start = next((i for i, c in enumerate(children) if not _is_bases_line(c)), len(children))
        for child in children[start:]:
            if isinstance(child, (addnodes.index, addnodes.desc)):
                break
            content.remove(child)
            block += child
        content.insert(start, block)
    _wrap_modules(doctree, attributes_for)


def _wrap_modules(doctree: nodes.document, attributes_for: Callable[[str], dict[str, str] | None]) -> None:
    """Wrap a filled module's docstring: what follows its index entry up to its first member."""
    for index in list(doctree.findall(addnodes.index)):
        names = [entry[2].removeprefix("module-") for entry in index["entries"] if entry[2].startswith("module-")]
        attributes = attributes_for(names[0]) if names else None
        parent = index.parent
        if attributes is None or parent is None:
            continue
        block = docgap_generated(**attributes)
        for child in list(parent.children[parent.index(index) + 1:]):
            if isinstance(child, (addnodes.index, addnodes.desc, nodes.section)):
                break
            parent.remove(child)
            block += child
        parent.insert(parent.index(index) + 1, block)


def _is_bases_line(node: nodes.Node) -> bool:
    return isinstance(node, nodes.paragraph) and node.astext().startswith(_("Bases: %s") % "")


def visit_html(self: Any, node: docgap_generated) -> None:
    """Open the marked block: docgap's own element and badge, every value escaped by the writer."""
    attributes = {"data-docgap-provider": node["provider"], "data-docgap-model": node["model"]}
    if node.get("review"):  # a person accepted or edited this very draft
        attributes["data-docgap-review"] = node["review"]
    self.body.append(self.starttag(node, "div", CLASS="docgap-generated", **attributes))
    self.body.append(f'<span class="docgap-badge" title="{self.attval(node["title"])}">{self.encode(node["label"])}</span>\n')


def depart_html(self: Any, node: docgap_generated) -> None:
    """Close the marked block."""
    self.body.append("</div>\n")


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """For every builder but HTML: a short `[label]` line instead of the styled block."""
    if app.builder.format == "html":
        return
    for node in list(doctree.findall(docgap_generated)):
        marker = nodes.paragraph("", "", nodes.emphasis("", f"[{node['label']}]"))
        node.replace_self([marker, *node.children])
