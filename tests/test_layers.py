"""The package's import graph: layers depend one way, no cycles, no private names across modules.

Layer order (docs/contributing.md): scenario, model, io, engine, analysis, api (with the package
root, which re-exports it), then the faces: report (figures and documents), the wargame (a
capability in a room of its own above the API's helpers, played by the faces after it), cli
(which renders through report) and app. Every import
counts, at module level or inside a function. Run this file alone to check a change:

    python -m pytest -q tests/test_layers.py
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "peninsula"
ORDER = ("scenario", "model", "io", "engine", "analysis", "api", "report", "wargame", "cli",
         "app")
BASE = ("_version", "data")  # importable from every layer: the version string, bundled data


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, tuple[str, ...], int]]:
    """(module, imported names, line) of every peninsula import in one file."""
    out = []
    me = module_name(path) if PACKAGE in path.parents else path.stem
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:  # relative import: resolve against this module's package
                base = me.split(".")[: -node.level] if path.name != "__init__.py" else \
                    me.split(".")[: len(me.split(".")) - node.level + 1]
                mod = ".".join([*base, mod] if mod else base)
            if mod == "peninsula" or mod.startswith("peninsula."):
                out.append((mod, tuple(a.name for a in node.names), node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, (), node.lineno) for a in node.names
                    if a.name == "peninsula" or a.name.startswith("peninsula.")]
    return out


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def rank(module: str) -> int:
    if module == "peninsula":  # the package root re-exports the API
        return ORDER.index("api")
    name = layer(module)
    return ORDER.index(name) if name in ORDER else -1  # BASE modules: below every layer


@functools.cache
def graph() -> dict[str, list[tuple[str, tuple[str, ...], int]]]:
    """Each module's imports; ``from package import submodule`` counts as the submodule."""
    raw = {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}
    out = {}
    for mod, deps in raw.items():
        resolved = []
        for dep, names, line in deps:
            subs = [f"{dep}.{n}" for n in names if f"{dep}.{n}" in raw]
            resolved += [(sub, (), line) for sub in subs]
            rest = tuple(n for n in names if f"{dep}.{n}" not in raw)
            if rest or not names:
                resolved.append((dep, rest, line))
        out[mod] = resolved
    return out


def test_every_module_belongs_to_a_layer():
    stray = [m for m in graph() if m != "peninsula" and layer(m) not in (*ORDER, *BASE)]
    assert not stray, f"modules outside the layers {ORDER}: {stray}"


def test_layers_import_only_earlier_layers():
    bad = []
    for mod, deps in graph().items():
        for dep, _, line in deps:
            if rank(dep) > rank(mod):
                bad.append(f"{mod}:{line} imports {dep}")
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_no_import_cycles():
    g = {m: {d for d, _, _ in deps if d in graph()} for m, deps in graph().items()}
    seen: dict[str, int] = {}  # 1 on the stack, 2 done
    cycles = []

    def visit(m, stack):
        seen[m] = 1
        for d in sorted(g.get(m, ())):
            if seen.get(d) == 1:
                cycles.append(" -> ".join([*stack[stack.index(d):], d]))
            elif d not in seen:
                visit(d, [*stack, d])
        seen[m] = 2

    for m in sorted(g):
        if m not in seen:
            visit(m, [m])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_no_private_names_cross_modules():
    bad = [f"{mod}:{line} imports {name} from {dep}"
           for mod, deps in graph().items() for dep, names, line in deps
           for name in names if name.startswith("_") and not name.startswith("__")
           and dep != mod]
    assert not bad, "private names imported from another module:\n" + "\n".join(bad)


def test_checker_sees_a_violation(tmp_path):
    """The walker itself: a model module importing the engine is reported."""
    f = PACKAGE / "model" / "actors.py"
    found = imports(f)
    assert any(dep == "peninsula.scenario.schema" for dep, _, _ in found)
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from peninsula.engine.kernel import _block\n")
    assert imports(bad) == [("peninsula.engine.kernel", ("_block",), 2)]
    assert rank("peninsula.engine.kernel") > rank("peninsula.model.actors")
    assert rank("peninsula.cli") > rank("peninsula") > rank("peninsula.analysis.metrics")
