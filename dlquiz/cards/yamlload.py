"""YAML loading that remembers line numbers, so deck problems can be reported as ``file:line``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's parser is several times faster; the pure-Python one is the fallback
    from yaml import CSafeLoader as _BaseLoader

    HAS_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    HAS_LIBYAML = False


class LineDict(dict):
    """A mapping from YAML that knows the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list


class YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _LineLoader(_BaseLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise YamlProblem(key_node.start_mark.line + 1, "a mapping key must be plain text")
        key = str(key) if not isinstance(key, str) else key
        if key in mapping:
            raise YamlProblem(
                key_node.start_mark.line + 1,
                f"duplicate key {key!r} (first on line {mapping.key_lines[key]})",
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


class _PortableLineLoader(yaml.SafeLoader):
    """PyYAML's pure-Python parser: stricter than libyaml in places (e.g. `?` inside a flow mapping)."""


for _loader in (_LineLoader, _PortableLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_with_lines(path: Path, portable: bool = False) -> Any:
    """Parse one YAML document. Raises YamlProblem (with a line) for anything malformed or unreadable.

    ``portable`` also parses with PyYAML's pure-Python parser when libyaml is in use, so a deck
    author learns about text that would fail on a machine without libyaml (used by `deck check`).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise YamlProblem(1, f"the file is not UTF-8 text ({error.reason} at byte {error.start})") from None
    data = _parse(text, _LineLoader, "")
    if portable and HAS_LIBYAML:
        _parse(text, _PortableLineLoader, " (libyaml accepts it, PyYAML without libyaml does not: quote the text)")
    return data


def _parse(text: str, loader: type, note: str) -> Any:
    try:
        return yaml.load(text, Loader=loader)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        what = error.problem or "malformed YAML"
        if error.context:
            what = f"{what} ({error.context})"
        raise YamlProblem(line, f"YAML syntax: {what}{note}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"YAML: {error}") from None
