#!/usr/bin/env python3
"""Shows the import circles between the source files of each crate.

    python3 scripts/import-circles.py            # every crate, every circle
    python3 scripts/import-circles.py --check    # exit 1 past the limits below

A file depends on another when it names an item of it: in a `use`, or as a
path in code (`crate::error::causes(e)`, `super::Sending`). A name reached
through a `pub use` re-export counts as the file that defines it, so
`crate::Client` is `client.rs`, not `lib.rs`. Declaring a module (`mod x;`)
and re-exporting what it defines (`pub use x::Item;` in its parent) are
containment: the parent is the module's front door, not a user of it. Comments (doc links included) and the
`#[cfg(test)]` module at the end of a file are left out: tests may reach
anywhere. It reads text, not the compiler's resolution, so a name used
without a path (a glob import, a macro) is not seen.

A circle is a set of files each of which reaches every other through such
dependencies (a strongly connected component of more than one file).
"""

import argparse
import os
import re
import sys

# The largest circle each crate may have (--check). The SDK keeps one knot:
# the client, its builder, the submit and the poller that hold a client.
LIMITS = {
    "orchestrator-sdk": 5,
    "orchestrator-server": 1,
    "orchestrator-task-cli": 1,
    "orchestrator-testkit": 1,
}

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def crates(root):
    """(crate name, source dir, root file) of every crate in the workspace."""
    found = [("orchestrator-task-cli", os.path.join(root, "src"), "main.rs")]
    base = os.path.join(root, "crates")
    for name in sorted(os.listdir(base)):
        src = os.path.join(base, name, "src")
        if os.path.exists(os.path.join(src, "lib.rs")):
            found.append((name, src, "lib.rs"))
    return found


def module_files(src, root_file):
    """Module path (tuple) -> file, for the crate rooted at src/root_file."""
    modules = {}

    def walk(path, file):
        modules[path] = file
        text = strip(read(file))
        here = os.path.dirname(file)
        own_dir = (
            here
            if os.path.basename(file) in ("mod.rs", "lib.rs", "main.rs")
            else os.path.join(here, os.path.splitext(os.path.basename(file))[0])
        )
        for name in re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*;", text, re.M):
            for candidate in (
                os.path.join(own_dir, name + ".rs"),
                os.path.join(own_dir, name, "mod.rs"),
            ):
                if os.path.exists(candidate):
                    walk(path + (name,), candidate)
                    break

    walk((), os.path.join(src, root_file))
    return modules


def read(file):
    with open(file, encoding="utf-8") as f:
        return f.read()


def strip(text):
    """The text without comments and without the trailing test module."""
    cut = re.search(r"^#\[cfg\(test\)\]\s*\n\s*mod\s+tests\b", text, re.M)
    if cut:
        text = text[: cut.start()]
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] if "//" in line else line for line in text.splitlines())


USE = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)


def inline_modules(text):
    """[(start, end, names)] of the inline `mod name { … }` blocks."""
    out = []
    for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += text[i] == "{"
            depth -= text[i] == "}"
            i += 1
        out.append((m.start(), i, m.group(1)))
    return out


def module_at(offset, module, blocks):
    """The module a place in the file is in, inline modules counted."""
    path = list(module)
    for start, end, name in blocks:
        if start <= offset < end:
            path.append(name)
    return tuple(path)


def use_paths(text):
    """Every path a `use` names, with braces expanded: [(segments, is_pub, offset)]."""
    out = []
    for m in USE.finditer(text):
        # `X as Y` keeps X; the alias is marked before spaces go.
        tree = re.sub(r"\s+", "", re.sub(r"\s+as\s+", "~", m.group(2)))
        for path in expand(tree):
            out.append((path, bool(m.group(1)), m.start()))
    return out


def expand(tree):
    """`a::{b,c::{d,e}}` -> [[a,b],[a,c,d],[a,c,e]] (aliases dropped)."""
    depth, start = 0, None
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
    if start is None:
        return [[s for s in tree.split("~")[0].split("::") if s]]
    prefix = [s for s in tree[:start].split("::") if s]
    inner = tree[start + 1 : tree.rindex("}")]
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    if cur:
        parts.append(cur)
    out = []
    for part in parts:
        for sub in expand(part):
            out.append(prefix + sub if sub != ["self"] else prefix)
    return out


def code_paths(text):
    """Paths in code (outside `use`) that start at `crate::` or `super::`: [(segments, offset)]."""
    code = USE.sub(lambda m: " " * len(m.group(0)), text)
    return [
        (m.group(0).split("::"), m.start())
        for m in re.finditer(r"\b(?:crate|super)(?:::(?:super|" + IDENT + r"))+", code)
    ]


def absolute(path, module):
    """A path as seen from `module`, made absolute; None if not in the crate."""
    if not path:
        return None
    if path[0] == "crate":
        return tuple(path[1:])
    if path[0] in ("super", "self"):
        base = list(module)
        rest = list(path)
        while rest and rest[0] in ("super", "self"):
            if rest.pop(0) == "super":
                if not base:
                    return None
                base.pop()
        return tuple(base + rest)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail past the limits per crate")
    parser.add_argument("--why", action="store_true", help="name the paths behind each arrow of a circle")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    failed = False
    for crate, src, root_file in crates(root):
        modules = module_files(src, root_file)
        files = {file: path for path, file in modules.items()}
        texts = {file: strip(read(file)) for file in files}
        # Re-exports: (module, name) -> absolute path of what it re-exports.
        reexports = {}
        for file, module in files.items():
            blocks = inline_modules(texts[file])
            for path, is_pub, at in use_paths(texts[file]):
                if not is_pub or module_at(at, module, blocks) != module:
                    continue
                target = absolute(path, module)
                if target is None and path and path[0] in {p[len(module)] for p in modules if len(p) > len(module) and p[: len(module)] == module}:
                    target = module + tuple(path)
                if target:
                    reexports[(module, target[-1])] = target

        def resolve(path, seen=()):
            """The file defining what `path` (absolute) names."""
            for cut in range(len(path), -1, -1):
                module = path[:cut]
                if module not in modules:
                    continue
                rest = path[cut:]
                if rest and (module, rest[0]) in reexports and path not in seen:
                    return resolve(reexports[(module, rest[0])] + rest[1:], seen + (path,))
                return modules[module]
            return None

        edges = {file: set() for file in files}
        because = {}
        for file, module in files.items():
            text = texts[file]
            blocks = inline_modules(text)
            paths = [(p, at) for p, _, at in use_paths(text)] + code_paths(text)
            children = {p[-1] for p in modules if len(p) == len(module) + 1 and p[: len(module)] == module}
            facade = {at for _, is_pub, at in use_paths(text) if is_pub}
            for path, at in paths:
                target = absolute(path, module_at(at, module, blocks))
                if target is None and path and path[0] in children:
                    target = module + tuple(path)
                if target is None:
                    continue
                if at in facade and target[: len(module)] == module and len(target) > len(module):
                    continue
                dep = resolve(target)
                if dep and dep != file:
                    edges[file].add(dep)
                    because.setdefault((file, dep), set()).add("::".join(path))
        circles = [c for c in components(edges) if len(c) > 1]
        biggest = max((len(c) for c in circles), default=1)
        limit = LIMITS.get(crate, 1)
        verdict = "ok" if biggest <= limit else f"over the limit of {limit}"
        print(f"{crate}: {len(files)} files, largest circle {biggest} ({verdict})")
        for circle in sorted(circles, key=len, reverse=True):
            names = sorted(os.path.relpath(f, src) for f in circle)
            print(f"  circle of {len(circle)}: {', '.join(names)}")
            if args.why:
                for a in sorted(circle):
                    for b in sorted(edges[a] & set(circle)):
                        paths = ", ".join(sorted(because[(a, b)]))
                        print(f"    {os.path.relpath(a, src)} -> {os.path.relpath(b, src)}: {paths}")
        failed |= biggest > limit
    if args.check and failed:
        sys.exit(1)


def components(edges):
    """Tarjan's strongly connected components."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    main()
