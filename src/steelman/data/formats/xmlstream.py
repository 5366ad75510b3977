"""Streaming XML with ``iterparse``: hardened against XML bombs, elements know their line.

The parser is defusedxml's: an entity declaration or an external reference stops the read
(billion laughs, quadratic blow-up and XXE all need one); a bare ``<!DOCTYPE>`` is harmless.
Finished elements down to ``prune_depth`` are removed from their parent after they are yielded,
so memory stays bounded by the largest record, not by the file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

from steelman.data.formats._common import open_binary
from steelman.errors import RecordError

__all__ = ["LineElement", "child_text", "iter_xml", "local_name", "namespace"]


class LineElement(ET.Element):
    """An element that remembers the line of its start tag."""

    line: int = 0


class _LineBuilder(ET.TreeBuilder):
    def __init__(self) -> None:
        super().__init__(element_factory=LineElement)
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        elem = super().start(tag, attrs)
        if isinstance(elem, LineElement) and self.expat is not None:
            elem.line = self.expat.CurrentLineNumber
        return elem


def iter_xml(path: Path, *, prune_depth: int) -> Iterator[tuple[str, LineElement, int]]:
    """Yield ``(event, element, depth)`` for each start and end tag (the root has depth 0)."""
    label = str(path)
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder)
    builder.expat = parser.parser
    stack: list[LineElement] = []
    with open_binary(path) as fh:
        events = ET.iterparse(fh, events=("start", "end"), parser=parser)
        try:
            for event, found in events:
                elem = cast(LineElement, found)
                if event == "start":
                    stack.append(elem)
                    yield event, elem, len(stack) - 1
                    continue
                stack.pop()
                yield event, elem, len(stack)
                if stack and len(stack) <= prune_depth:
                    stack[-1].remove(elem)
        except ET.ParseError as exc:
            line, column = exc.position
            reason = str(exc).split(": line ")[0]
            raise RecordError(
                f"not well-formed XML ({reason}, column {column + 1})",
                path=label,
                line=line,
            ) from exc
        except DefusedXmlException as exc:
            raise RecordError(
                f"the file declares XML entities or external references ({type(exc).__name__}); "
                "exports never need them, and they can hide an XML bomb",
                path=label,
                line=builder.expat.CurrentLineNumber,
            ) from exc


def local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``."""
    return tag.rpartition("}")[2]


def namespace(tag: str) -> str:
    """``{namespace}name`` -> ``namespace`` (empty without one)."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def child_text(elem: ET.Element, tag: str) -> str | None:
    """The text of the first child with this tag (``None`` if absent), stripped."""
    child = elem.find(tag)
    if child is None:
        return None
    return (child.text or "").strip()
