"""YAML for untrusted front matter: size, depth and node caps checked on the event stream before composing.

Anchors and aliases are refused outright (a few hundred bytes of nested aliases otherwise expand into
billions of nodes: the "billion laughs" of YAML), so every later walk over the node tree is linear in
the size of the text.  Timestamps are not auto-converted (dates stay strings, checked by the caller).
libyaml's C parser is used when PyYAML was built with it.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Largest front matter accepted, in UTF-8 bytes (the bundled columns use ~10 kB).
MAX_YAML_BYTES = 256 * 1024
#: Deepest nesting of mappings/sequences (the format needs 5).
MAX_DEPTH = 20
#: Most nodes (scalars, mappings, sequences) in the front matter.
MAX_NODES = 10_000

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader (C when available) that keeps dates as strings."""


Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlLimitError(ValueError):
    """The YAML breaks a limit; ``line`` is 1-based within the YAML text (or None); ``code`` and ``params`` say
    which (codes ``column_file.yaml_*``); the message is English, for logs."""

    def __init__(self, line: int | None, code: str, message: str, **params: Any) -> None:
        self.line, self.code, self.params = line, code, params
        super().__init__(f"line {line}: {message}" if line else message)


def _line(event: yaml.Event) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def check_events(text: str, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> None:
    """Walk the event stream once (no tree is built): refuse anchors, aliases, deep nesting, too many nodes.

    Raises :class:`YamlLimitError` at the first offence, ``yaml.YAMLError`` for invalid YAML.
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.AliasEvent):
            raise YamlLimitError(_line(event), "column_file.yaml_alias",
                                 f"alias '*{event.anchor}': anchors and aliases are not allowed", name=event.anchor)
        if not isinstance(event, yaml.NodeEvent):
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            continue
        if event.anchor is not None:
            raise YamlLimitError(_line(event), "column_file.yaml_anchor",
                                 f"anchor '&{event.anchor}': anchors and aliases are not allowed", name=event.anchor)
        nodes += 1
        if nodes > max_nodes:
            raise YamlLimitError(_line(event), "column_file.yaml_values", f"more than {max_nodes:,} values",
                                 limit=max_nodes)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > max_depth:
                raise YamlLimitError(_line(event), "column_file.yaml_depth",
                                     f"nested more than {max_depth} levels deep", limit=max_depth)


def load(text: str, max_bytes: int = MAX_YAML_BYTES) -> tuple[yaml.Node | None, Any]:
    """``(root node, data)`` of one YAML document, after :func:`check_events` and a size check.

    The node tree (with line marks) and the Python data come from one composition.  Raises
    :class:`YamlLimitError` or ``yaml.YAMLError``.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise YamlLimitError(None, "column_file.yaml_size", f"front matter is {size:,} bytes (limit {max_bytes:,})",
                             size=size, limit=max_bytes)
    check_events(text)
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data
