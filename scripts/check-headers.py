#!/usr/bin/env python3
"""Fails on a Rust source file that does not open with a comment saying
its one job (a `//!` module doc, or a `//` line where the file's docs come
from elsewhere).

    python3 scripts/check-headers.py
"""

import os
import sys

SKIP_DIRS = {".git", "target", "corpus", "artifacts"}


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    missing, seen = [], 0
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            seen += 1
            path = os.path.join(here, name)
            with open(path, encoding="utf-8") as f:
                first = f.readline()
            if not first.startswith("//"):
                missing.append(os.path.relpath(path, root))
    for path in missing:
        print(f"{path}: does not open with a comment saying its job")
    print(f"{seen} Rust files, {len(missing)} without an opening comment")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
