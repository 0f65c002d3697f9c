"""Safe YAML that remembers the line of every key and list item, for error messages."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, SequenceNode


class LineMap(dict):
    """A YAML mapping; `line` is where it starts, `lines[key]` where each key is (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The line of `key`, or of the mapping itself when the key is missing."""
        return self.lines.get(key, self.line)


class LineList(list):
    """A YAML sequence; `line` is where it starts, `lines[i]` where each item is (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        """The line of item `index`."""
        return self.lines[index] if index < len(self.lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader building LineMap and LineList, refusing duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise ConstructorError(None, None, "this key cannot be used as a name", key_node.start_mark) from exc
        if key in result:
            raise ConstructorError(None, None, f"“{key}” appears twice", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: SequenceNode) -> LineList:
    result = LineList()
    result.line = node.start_mark.line + 1
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.lines.append(child.start_mark.line + 1)
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YAMLProblem(Exception):
    """YAML that does not parse; `line` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse(text: str, *, first_line: int = 1) -> Any:
    """Parse YAML text whose first line is line `first_line` of its file."""
    padded = "\n" * (first_line - 1) + text
    try:
        return yaml.load(padded, Loader=_LineLoader)  # noqa: S506  (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        return _raise(problem, mark.line + 1 if mark else None)
    except yaml.YAMLError as exc:
        return _raise(str(exc), None)


def _raise(message: str, line: int | None) -> Any:
    raise YAMLProblem(message, line)


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as literal blocks, indents lists under their key, keeps key order."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str_representer(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(LineMap, yaml.representer.SafeRepresenter.represent_dict)
_Dumper.add_representer(LineList, yaml.representer.SafeRepresenter.represent_list)


def dump(data: Any) -> str:
    """YAML for humans: block style, original key order, Unicode as is."""
    # No line wrapping: one line of YAML per line of text, as people write it.
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)


def dump_inline(data: Any) -> str:
    """A short list or mapping on one line: [LO1, LO2]."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, width=4096, default_flow_style=True).strip()
