"""Strict YAML reading: safe types only, line numbers for every key, no duplicates or aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import yaml

try:  # libyaml is about 9x faster and just as safe
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_PLAIN_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_PLAIN_SCALARS = {f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float")}


class YamlTimestamp(str):
    """A scalar YAML would have read as a date or time; kept as its source text."""


@dataclass(frozen=True, slots=True)
class YamlProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Plain Python data plus where each key and item came from.

    ``lines`` maps a key path such as ``("consent", "status")`` or ``("tags", 1)`` to
    its 1-based line in the file; ``sources`` maps the same paths to the scalar's text.
    """

    data: Any
    lines: Mapping[tuple, int]
    sources: Mapping[tuple, str]

    def line(self, *path, default: int = 1) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), default)


def parse_yaml(text: str, first_line: int = 1) -> tuple[YamlDoc | None, tuple[YamlProblem, ...]]:
    """Parse one YAML document; ``first_line`` is the file line the text starts on."""
    offset = first_line - 1
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line + 1 + offset) if mark else first_line
            what = exc.problem or exc.context or "invalid YAML"
            source_line = text.split("\n")[mark.line] if mark and mark.line < text.count("\n") + 1 else ""
            return None, (YamlProblem(line, _explain(what, source_line)),)
        except yaml.YAMLError as exc:
            return None, (YamlProblem(first_line, f"invalid YAML: {exc}"),)
        if root is None:
            return YamlDoc(None, {(): first_line}, {}), ()
        builder = _Builder(loader, offset)
        data = builder.build(root, ())
        return YamlDoc(data, builder.lines, builder.sources), tuple(builder.problems)
    finally:
        loader.dispose()


def _explain(problem: str, line: str) -> str:
    """PyYAML's words for the commonest slips, said as what to do."""
    if "mapping values are not allowed" in problem:
        key, _, value = line.partition(":")
        value = value.strip()
        if key.strip() and value and not value.startswith(("'", '"')):
            quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            return (f"the value of '{key.strip()}' holds ': ', which YAML reads as another field: "
                    f"put the whole value in quotes, {key.strip()}: {quoted}")
        return "a ': ' inside a value: put the whole value in quotes"
    if "'\\t'" in problem or "tab" in problem.lower():
        return "a tab character: YAML indents with spaces only, replace the tab with spaces"
    return f"invalid YAML: {problem}"


class _Builder:
    def __init__(self, loader, offset: int):
        self.loader = loader
        self.offset = offset
        self.lines: dict[tuple, int] = {}
        self.sources: dict[tuple, str] = {}
        self.problems: list[YamlProblem] = []
        self.seen: set[int] = set()

    def line_of(self, node) -> int:
        return node.start_mark.line + 1 + self.offset

    def build(self, node, path: tuple) -> Any:
        self.lines.setdefault(path, self.line_of(node))
        if id(node) in self.seen:
            self.problems.append(YamlProblem(self.lines[path], "YAML aliases (*name) are not allowed: write the value out in full"))
            return None
        self.seen.add(id(node))
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTIONS:
            self.problems.append(YamlProblem(self.line_of(node), f"unsupported YAML tag {node.tag!r}: use plain values"))
            return None
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.build_scalar(node, path)

    def build_mapping(self, node, path: tuple) -> dict:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = self.line_of(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(YamlProblem(line, "a key must be plain text"))
                continue
            key = key_node.value
            if key == "<<":
                self.problems.append(YamlProblem(line, "YAML merge keys (<<) are not allowed: write the fields out in full"))
                continue
            if key in result:
                first = self.lines[path + (key,)]
                self.problems.append(YamlProblem(line, f"duplicate key '{key}' (first set on line {first}); YAML would silently keep only the last one"))
                continue
            self.lines[path + (key,)] = line
            result[key] = self.build(value_node, path + (key,))
        return result

    def build_scalar(self, node, path: tuple) -> Any:
        self.sources[path] = node.value
        if node.tag == _STR:
            return node.value
        if node.tag == _TIMESTAMP:
            return YamlTimestamp(node.value)
        if node.tag not in _PLAIN_SCALARS:
            self.problems.append(YamlProblem(self.line_of(node), f"unsupported YAML tag {node.tag!r}: use plain values"))
            return None
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError:
            self.problems.append(YamlProblem(self.line_of(node), f"unsupported YAML tag {node.tag!r}: use plain values"))
            return None
