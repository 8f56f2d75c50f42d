"""The structure of generator/, held by a test: packages in layers (docs/architecture.md), every
import pointing down or across a layer, never up; no import cycle, counting imports inside
functions and under TYPE_CHECKING; no chain of imports longer than ten modules; no function
longer than sixty lines; and the commands that must stay light load nothing heavy."""

from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PACKAGE = PROJECT / "generator"

# Lowest first. A module may import from its own layer or those below, never from above.
LAYERS = (
    ("core", ("generator", "generator.core")),
    ("settings", ("generator.config", "generator.interface", "generator.templatefiles")),
    ("cache and text", ("generator.content.limits", "generator.content.markup", "generator.content.media",
                        "generator.content.history", "generator.incremental.cachedir", "generator.incremental.bodies")),
    ("privacy", ("generator.privacy",)),
    ("content", ("generator.content", "generator.incremental.documents", "generator.incremental.freshness")),
    ("site", ("generator.site",)),
    ("search and output", ("generator.search", "generator.output")),
    ("incremental", ("generator.incremental",)),
    ("pipeline", ("generator.pipeline",)),
    ("commands", ("generator.serve", "generator.bundle", "generator.review", "generator.changes",
                  "generator.staged", "generator.scaffold", "generator.fielddocs")),
    ("command line", ("generator.cli", "generator.__main__")),
)
LONGEST_CHAIN = 10
LONGEST_FUNCTION = 60


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@functools.lru_cache(maxsize=1)
def imports() -> dict[str, dict[str, int]]:
    """module -> {imported module: line}, for every import of a generator module anywhere in it."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in MODULES.items():
        found: dict[str, int] = {}
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
            for target in targets:
                if target.startswith("generator") and (resolved := _resolve(target)) not in (None, module):
                    found.setdefault(resolved, node.lineno)
        graph[module] = found
    return graph


def layer_of(module: str) -> int:
    best = None
    for number, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or (prefix != "generator" and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[1]:
                    best = (number, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS in tests/test_architecture.py"
    return best[0]


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_no_module_imports_from_a_layer_above_its_own():
    upward = [f"{MODULES[module].relative_to(PROJECT)}:{line}: {module} ({LAYERS[layer_of(module)][0]}) imports "
              f"{target} ({LAYERS[layer_of(target)][0]})"
              for module, targets in imports().items() for target, line in targets.items()
              if layer_of(target) > layer_of(module)]
    assert upward == []


def _cycles() -> list[list[str]]:
    graph, index, low, stack, on_stack, found = imports(), {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles():
    assert _cycles() == []


def test_no_chain_of_imports_is_longer_than_ten_modules():
    graph = imports()

    @functools.lru_cache(maxsize=None)
    def chain(module: str) -> tuple[str, ...]:
        return (module, *max((chain(target) for target in graph[module]), key=len, default=()))

    longest = max((chain(module) for module in graph), key=len)
    assert len(longest) <= LONGEST_CHAIN, " -> ".join(longest)


def test_no_function_is_longer_than_sixty_lines():
    long = [f"{path.relative_to(PROJECT)}:{node.lineno}: {node.name} is {node.end_lineno - node.lineno + 1} lines"
            for path in MODULES.values() for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION]
    assert long == []


def test_comparing_two_builds_loads_no_renderer(tmp_path):
    """`diff` compares two manifests: it says what changed without loading Jinja, Markdown or the
    image library (it used to reach them through the renderer, for a type)."""
    pages = {"old": {"index.html": "a" * 64, "articles/gone/index.html": "b" * 64},
             "new": {"index.html": "c" * 64, "articles/added/index.html": "d" * 64}}
    for name, files in pages.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "chorus-manifest.json").write_text(json.dumps({"files": files, "generator": "chorus"}))
    script = ("import sys; from generator.cli import main; main(['diff', sys.argv[1], sys.argv[2]]); "
              "print(sorted(m for m in ('jinja2', 'markdown', 'nh3', 'PIL', 'generator.output.render') "
              "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "old"), str(tmp_path / "new")],
                          capture_output=True, text=True, cwd=PROJECT)
    assert done.stdout.strip().endswith("[]"), done.stdout + done.stderr
    said = done.stdout
    assert "/articles/added/" in said and "/articles/gone/" in said and "/" in said, said
