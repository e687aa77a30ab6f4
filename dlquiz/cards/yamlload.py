"""YAML loading that remembers line numbers, so deck problems can be reported as ``file:line``."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import yaml

from dlquiz.text import Text

try:  # libyaml's parser is several times faster; the pure-Python one is the fallback
    from yaml import CSafeLoader as _BaseLoader

    HAS_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    HAS_LIBYAML = False


# Limits on what one deck file may cost to load. Each message names its limit, so an author knows what to change.
MAX_FILE_BYTES = 8 * 1024 * 1024  # a deck file of at most 8 MiB (50,000 short cards fit)
MAX_NESTING = 64  # lists and mappings inside each other; a deck needs about 6
# YAML aliases (`*name`) repeat a value without repeating its text: a small file can expand to gigabytes. The total
# size of the document with every alias expanded (characters of text plus one per value) is bounded instead.
MAX_EXPANDED_SIZE = 16 * 1024 * 1024


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
    """A file-level problem (not UTF-8, YAML syntax, a limit) at ``line``, in English (``message``) and Chinese."""

    def __init__(self, line: int, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.message_zh = message_zh


class _Bounded:
    """Checks the composed document (nesting depth, alias expansion) before any Python object is built from it."""

    def construct_document(self, node: yaml.Node) -> Any:
        _check_cost(node)
        return super().construct_document(node)  # type: ignore[misc]


def _check_cost(root: yaml.Node) -> None:
    """Raise YamlProblem when the document nests deeper than MAX_NESTING or expands beyond MAX_EXPANDED_SIZE.

    Aliases make the document a graph: each node's expanded size is computed once and reused, so the check costs
    one pass over the nodes as written, however many times they are repeated.
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        known = sizes.get(id(node))
        if known is not None:
            if known < 0:
                raise YamlProblem(
                    node.start_mark.line + 1,
                    "an alias refers to a value that contains itself",
                    "别名指向了包含它自身的值",
                )
            return known
        if depth > MAX_NESTING:
            raise _too_deep(node.start_mark.line + 1)
        sizes[id(node)] = -1  # in progress: meeting it again means a recursive alias
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        total = 1
        for child in children:
            # Scalars, most of the nodes, are counted here rather than by a call: it halves the cost of the check.
            total += 1 + len(child.value) if isinstance(child, yaml.ScalarNode) else size(child, depth + 1)
            if total > MAX_EXPANDED_SIZE:
                raise YamlProblem(
                    node.start_mark.line + 1,
                    f"with its aliases (*name) expanded the deck is larger than {MAX_EXPANDED_SIZE:,} characters "
                    "(the limit); repeat less text",
                    f"展开别名（*name）后，卡组超过 {MAX_EXPANDED_SIZE:,} 个字符（上限）；请少重复一些文字",
                )
        sizes[id(node)] = total
        return total

    if not isinstance(root, yaml.ScalarNode):
        size(root, 0)


def _too_deep(line: int) -> YamlProblem:
    return YamlProblem(
        line,
        f"lists and mappings are nested more than {MAX_NESTING} deep (the limit)",
        f"列表和映射嵌套超过 {MAX_NESTING} 层（上限）",
    )


class _LineLoader(_Bounded, _BaseLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise YamlProblem(
                key_node.start_mark.line + 1, "a mapping key must be plain text", "映射的键必须是普通文字"
            )
        key = str(key) if not isinstance(key, str) else key
        if key in mapping:
            first = mapping.key_lines[key]
            raise YamlProblem(
                key_node.start_mark.line + 1,
                f"duplicate key {key!r} (first on line {first})",
                f"键 {key!r} 重复（第一次出现在第 {first} 行）",
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    # Python refuses to read an integer of more than 4,300 digits (ValueError, not a YAML error): report its line.
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        raise YamlProblem(
            node.start_mark.line + 1,
            "this number has too many digits; put it in quotes",
            "这个数字位数太多；请给它加上引号",
        ) from None


class _PortableLineLoader(_Bounded, yaml.SafeLoader):
    """PyYAML's pure-Python parser: stricter than libyaml in places (e.g. `?` inside a flow mapping)."""


for _loader in (_LineLoader, _PortableLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_with_lines(path: Path, portable: bool = False, content: bytes | None = None) -> Any:
    """Parse one YAML document. Raises YamlProblem (with a line) for anything malformed or unreadable.

    ``portable`` also parses with PyYAML's pure-Python parser when libyaml is in use, so a deck
    author learns about text that would fail on a machine without libyaml (used by `deck check`). ``content`` is the
    file's bytes when the caller has read them already (the cache hashes exactly what is parsed).
    """
    size = path.stat().st_size if content is None else len(content)
    if size > MAX_FILE_BYTES:
        limit, mib = MAX_FILE_BYTES // 1024 // 1024, size / 1024 / 1024
        raise YamlProblem(
            0,
            f"the file is {mib:.1f} MiB; a deck file may be at most {limit} MiB (the limit): split it",
            f"文件有 {mib:.1f} MiB；卡组文件最多 {limit} MiB（上限）：请把它拆开",
        )
    try:
        if content is None:
            with open(path, "rb") as stream:  # read no more than the limit, even if the file grows meanwhile
                content = stream.read(MAX_FILE_BYTES + 1)
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise YamlProblem(
            1,
            f"the file is not UTF-8 text ({error.reason} at byte {error.start})",
            f"文件不是 UTF-8 文本（第 {error.start} 字节：{error.reason}）",
        ) from None
    data = _parse(text, _LineLoader)
    if portable and HAS_LIBYAML:
        _parse(text, _PortableLineLoader, PORTABLE_NOTE)
    return data


# Said after a syntax error that only the pure-Python parser finds.
PORTABLE_NOTE = Text(
    zh="（libyaml 能读取，但没有 libyaml 的 PyYAML 不能：请给这段文字加上引号）",
    en=" (libyaml accepts it, PyYAML without libyaml does not: quote the text)",
)


def _parse(text: str, loader: type, note: Text = Text()) -> Any:
    # Building a big deck creates hundreds of thousands of containers, none of them garbage: without the cyclic
    # collector's repeated passes over them, loading 50,000 cards is several times faster.
    collecting = gc.isenabled()
    gc.disable()
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
        # PyYAML's own words (``what``) stay as it writes them, in the Chinese sentence too.
        raise YamlProblem(line, f"YAML syntax: {what}{note.en}", f"YAML 语法错误：{what}{note.zh}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, f"YAML: {error}", f"YAML 错误：{error}") from None
    except RecursionError:  # the pure-Python composer recurses once per level, before the nesting check can run
        raise _too_deep(1) from None
    finally:
        if collecting:
            gc.enable()
