"""Vector results: sanitise an SVG, record the generation in it, rasterise a thumbnail.

An SVG is a document that can run scripts and fetch things, so a provider's SVG is
rebuilt from an allow-list before Easel stores it:

* parsed by lxml with entity expansion, DTD loading and network access off; the DOCTYPE,
  comments, processing instructions and unexpanded entity references are dropped;
* only SVG drawing elements are kept: no ``script``, ``foreignObject``, ``image``,
  ``feImage``, animation (which could rewrite links) or anything of another namespace;
  a link ``<a>`` becomes a plain group;
* no event handler attributes (``on…``), no ``href``/``xlink:href`` except to ``#ids``
  in the same document, no ``url(…)`` except ``url(#id)``, in attributes and in CSS;
  a ``<style>`` with ``@import`` or an outside ``url()`` is removed whole.

It is served with ``Content-Security-Policy: sandbox`` as well (`easel.api.routes.images`),
and the dashboard shows its raster thumbnail, never the SVG inline.
"""

from __future__ import annotations

import io
import re

import resvg_py
from lxml import etree
from PIL import Image

from easel.storage.records import GenerationRecord, xmp_description

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MIME = "image/svg+xml"
MAX_SIDE = 16_384
"""Larger declared sizes are clamped when picking the thumbnail size."""

_ELEMENTS = frozenset(
    (
        *("svg", "g", "defs", "symbol", "use", "title", "desc", "style", "view"),
        *("path", "rect", "circle", "ellipse", "line", "polyline", "polygon"),
        *("text", "tspan", "textPath"),
        *("linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker"),
        *("filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite"),
        *("feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight"),
        *("feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR"),
        *("feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset"),
        *("fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence"),
    )
)
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


class Unusable(Exception):
    """The data is not an SVG document Easel can keep."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def sanitise(data: bytes) -> etree._Element:
    """The SVG's root element, rebuilt from the allow-list; raises `Unusable`."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise Unusable(f"it is not well-formed XML ({exc})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise Unusable("its root element is not an SVG <svg>")
    _clean(root)
    return root


def _clean(element: etree._Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or not _allowed_child(child):
            _remove(child)
            continue
        if child.tag == f"{{{SVG_NS}}}a":
            child.tag = f"{{{SVG_NS}}}g"
        _clean(child)
    _clean_attributes(element)
    if element.tag == f"{{{SVG_NS}}}style" and not _safe_css(element.text or ""):
        _remove(element)


def _allowed_child(element: etree._Element) -> bool:
    qname = etree.QName(element)
    return qname.namespace == SVG_NS and (qname.localname in _ELEMENTS or qname.localname == "a")


def _remove(element: etree._Element) -> None:
    """Remove ``element``, keeping the text that follows it (lxml stores it as its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _clean_attributes(element: etree._Element) -> None:
    for name, value in list(element.attrib.items()):
        if not _safe_attribute(etree.QName(name), value):
            del element.attrib[name]


def _safe_attribute(qname: etree.QName, value: str) -> bool:
    local = qname.localname.lower()
    if qname.namespace not in (None, XLINK_NS, XML_NS) or local.startswith("on"):
        return False  # foreign attributes and event handlers
    if local == "href":
        return value.strip().startswith("#")
    return qname.namespace != XLINK_NS and _safe_css(value)


def _safe_css(text: str) -> bool:
    """No ``@import``, no ``url()`` except to a fragment, no script-ish values."""
    lowered = text.lower()
    if "@import" in lowered or "javascript:" in lowered or "expression(" in lowered:
        return False
    return all(target.strip().startswith("#") for _, target in _URL.findall(text))


def with_record(root: etree._Element, record: GenerationRecord | None) -> bytes:
    """The document as UTF-8 bytes, its ``<metadata>`` replaced by Easel's record."""
    for old in root.findall(f"{{{SVG_NS}}}metadata"):
        root.remove(old)
    if record is not None:
        width, height = natural_size(root)
        metadata = etree.Element(f"{{{SVG_NS}}}metadata")
        rdf = etree.SubElement(metadata, f"{{{RDF_NS}}}RDF", nsmap={"rdf": RDF_NS})
        description = xmp_description(record, (width, height))
        wrapped = f'<w xmlns:rdf="{RDF_NS}">{description}</w>'
        rdf.append(etree.fromstring(wrapped.encode(), _parser())[0])
        root.insert(0, metadata)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def natural_size(root: etree._Element) -> tuple[int, int]:
    """The size the SVG declares (``width``/``height`` in px, else its ``viewBox``)."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if (width is None or height is None) and len(box) == 4:
        try:
            box_width, box_height = float(box[2]), float(box[3])
        except ValueError:
            box_width = box_height = 0.0
        if box_width > 0 and box_height > 0:
            width = width or box_width
            height = height or box_height
    width, height = width or 300.0, height or 150.0  # the size browsers give an SVG without one
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match and float(match.group(1)) > 0 else None


def rasterise(svg: bytes, size: tuple[int, int]) -> Image.Image:
    """The SVG drawn at ``size`` px by resvg (which fetches nothing from outside)."""
    try:
        png = resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), width=size[0], height=size[1])
    except Exception as exc:  # resvg reports every problem as a plain exception
        raise Unusable(f"it cannot be drawn ({exc})") from None
    with Image.open(io.BytesIO(bytes(png)), formats=["PNG"]) as image:
        return image.convert("RGBA")
