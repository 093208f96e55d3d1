#!/usr/bin/env python3
"""Fails on a relative link in any Markdown file that points to a missing
file or heading.

    python3 scripts/check-links.py

Checks `[text](target)` and `[label]: target` outside code blocks and code
spans. A target with a scheme (`https:`, `mailto:`) is left alone; a path
is resolved against the linking file's folder; `#anchor` must be a heading
of the target file, as GitHub spells anchors (lowercase, punctuation gone,
spaces as hyphens, `-1`, `-2` … for repeats).
"""

import os
import re
import sys

SKIP_DIRS = {".git", "target", "node_modules", ".schemathesis"}
LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(\S+)", re.M)


def markdown_files(root):
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            if name.endswith(".md"):
                yield os.path.join(here, name)


def prose(text):
    """The text with fenced code blocks and code spans blanked out."""
    out, fenced = [], False
    for line in text.splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else re.sub(r"`[^`]*`", "``", line))
    return "\n".join(out)


def anchors(path, cache={}):
    """The anchors GitHub gives the headings of a Markdown file."""
    if path not in cache:
        seen, found = {}, set()
        fenced = False
        for line in open(path, encoding="utf-8").read().splitlines():
            if re.match(r"^\s*(```|~~~)", line):
                fenced = not fenced
                continue
            m = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if not m:
                continue
            slug = slugify(m.group(1))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
        for m in re.finditer(r'<a\s+(?:name|id)="([^"]+)"', open(path, encoding="utf-8").read()):
            found.add(m.group(1))
        cache[path] = found
    return cache[path]


def slugify(heading):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links keep their text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    broken = []
    checked = 0
    for md in sorted(markdown_files(root)):
        text = prose(open(md, encoding="utf-8").read())
        targets = LINK.findall(text) + IMAGE.findall(text) + REFERENCE.findall(text)
        for target in targets:
            target = target.strip("<>")
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue
            checked += 1
            path, _, anchor = target.partition("#")
            dest = md if not path else os.path.normpath(os.path.join(os.path.dirname(md), path))
            where = os.path.relpath(md, root)
            if not os.path.exists(dest):
                broken.append(f"{where}: {target}: no such file")
            elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                broken.append(f"{where}: {target}: no heading #{anchor} in {os.path.relpath(dest, root)}")
    for line in broken:
        print(line)
    print(f"{checked} relative links checked, {len(broken)} broken")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
