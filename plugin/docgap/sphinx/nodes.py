"""The node that marks generated text, its markers, and how each builder shows it."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective


class docgap_generated(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """A block of generated documentation, with its provider, model and badge label."""


class docgap_start(nodes.Invisible, nodes.Element):  # noqa: N801
    """Where a generated docstring starts (removed once the block is wrapped)."""


class docgap_end(nodes.Invisible, nodes.Element):  # noqa: N801
    """Where a generated docstring ends (removed once the block is wrapped)."""


class StartDirective(SphinxDirective):
    """`.. docgap-start:: PATH` — emitted by docgap itself in front of a generated docstring.

    Only the object path travels through reST; provider, model and label are looked up in the
    run's own data, so nothing from a draft or a lockfile is ever parsed as markup here.
    """

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        return [docgap_start(path=self.arguments[0])]


class EndDirective(SphinxDirective):
    """`.. docgap-end::` — closes the block opened by `docgap-start`."""

    def run(self) -> list[nodes.Node]:
        return [docgap_end()]


def wrap_generated(doctree: nodes.document, attributes_for: Any) -> int:
    """Move everything between each start/end marker pair into one `docgap_generated` node.

    Args:
        doctree: The document just read.
        attributes_for: Maps an object path to the node's attributes (provider, model, label).

    Returns:
        How many blocks were wrapped.
    """
    count = 0
    for start in list(doctree.findall(docgap_start)):
        parent = start.parent
        index = parent.index(start)
        block = docgap_generated(**attributes_for(start["path"]))
        for sibling in list(parent.children[index + 1:]):
            parent.remove(sibling)
            if isinstance(sibling, docgap_end):
                break
            block += sibling
        parent.replace(start, block)
        count += 1
    for stray in list(doctree.findall(docgap_end)):
        stray.parent.remove(stray)
    return count


def visit_html(self: Any, node: docgap_generated) -> None:
    attributes = {"data-docgap-provider": node["provider"], "data-docgap-model": node["model"]}
    self.body.append(self.starttag(node, "div", CLASS="docgap-generated", **attributes))
    self.body.append(f'<span class="docgap-badge" title="{self.attval(node["title"])}">{self.encode(node["label"])}</span>\n')


def depart_html(self: Any, node: docgap_generated) -> None:
    self.body.append("</div>\n")


class TextualMarker(SphinxPostTransform):
    """For every builder but HTML: a short `[label]` line instead of the styled block."""

    default_priority = 200

    def run(self, **kwargs: Any) -> None:
        if self.app.builder.format == "html":
            return
        for node in list(self.document.findall(docgap_generated)):
            marker = nodes.paragraph("", "", nodes.emphasis("", f"[{node['label']}]"))
            node.replace_self([marker, *node.children])
