"""Find the line of a key path in TOML or YAML source, so errors can point at it."""

from __future__ import annotations

import re

import yaml


def find_line(text: str, keypath: str, fmt: str) -> int | None:
    """1-based line of ``keypath`` (dot-separated) in the source text, or None if not found."""
    parts = [p for p in keypath.split(".") if p]
    if not parts or not text:
        return None
    try:
        return _yaml_line(text, parts) if fmt == "yaml" else _toml_line(text, parts)
    except Exception:  # locating is a courtesy; never let it hide the real error
        return None


def _toml_line(text: str, parts: list[str]) -> int | None:
    header: list[str] = []
    best = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = re.match(r"^\[\s*([^\]]+?)\s*\]$", line)
        if m:
            header = [h.strip().strip('"') for h in m.group(1).split(".")]
            if header == parts:
                return n
            continue
        m = re.match(r'^"?([A-Za-z0-9_\-]+)"?\s*=', line)
        if not m:
            continue
        full = header + [m.group(1)]
        if full == parts[: len(full)] and len(full) <= len(parts):
            best = n
            if full == parts:
                return n
    return best


def _yaml_line(text: str, parts: list[str]) -> int | None:
    node = yaml.compose(text)
    line = None
    for part in parts:
        if not isinstance(node, yaml.MappingNode):
            break
        for key, value in node.value:
            if str(key.value) == part:
                line = key.start_mark.line + 1
                node = value
                break
        else:
            break
    return line
