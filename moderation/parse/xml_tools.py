"""Safe XML parsing and small element helpers shared by the XML export readers.

Limits: entities are never expanded and no DTD or network is loaded. libxml2's "huge"
mode is on, so a single text node may exceed its default 10 MB cap and elements may nest
up to 2,048 deep (256 by default); the bound on the work is the input size limit
(`--max-input-mb`, checked before parsing). An export nested deeper than that is refused
with a ParseError naming the line.
"""

from __future__ import annotations

from lxml import etree

from moderation.errors import ParseError
from moderation.schema import SourceSpan


def parse_xml(data: bytes, path: str | None) -> etree._Element:
    """The root element, parsed without DTDs, entity expansion or network access."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ParseError(path, f"invalid XML ({exc})") from None
    if root is None:
        raise ParseError(path, "invalid XML (no root element)")
    return root


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return etree.QName(tag).localname


def child_text(element: etree._Element, *names: str) -> str | None:
    """All text of the first child whose local name is one of `names` (namespace ignored),
    stripped: text after an entity reference or inside nested elements is kept (an
    unexpanded entity stays as written, e.g. `&nbsp;`)."""
    for child in element:
        if local_name(child) in names:
            return "".join(child.itertext()).strip()
    return None


def child_markup(element: etree._Element, *names: str) -> str | None:
    """The content of the first child named one of `names` as markup: its text (HTML source
    when the export escapes or CDATA-wraps it) followed by any inline XHTML elements and
    entity references, serialised. For `text_from_html`, so that nothing inside is lost."""
    for child in element:
        if local_name(child) in names:
            return (child.text or "") + "".join(
                etree.tostring(sub, encoding="unicode", with_tail=True) for sub in child
            )
    return None


def child(element: etree._Element, name: str) -> etree._Element | None:
    for sub in element:
        if local_name(sub) == name:
            return sub
    return None


def attribute(element: etree._Element, name: str) -> str | None:
    """Value of an attribute by local name, whatever its namespace."""
    for key, value in element.attrib.items():
        if etree.QName(key).localname == name:
            return str(value)
    return None


def element_span(element: etree._Element, path: str | None) -> SourceSpan:
    """Lines from the element's start tag to the last start tag inside it."""
    start = element.sourceline
    end = start
    for sub in element.iter():
        if sub.sourceline is not None and (end is None or sub.sourceline > end):
            end = sub.sourceline
    return SourceSpan(path, line_start=start, line_end=end)
