#!/usr/bin/env python3
"""Fails if any file of the repository refers to files outside it.

The repository must stand on its own: code comments, tests and docs cite its
own docs (docs/semantics.md, docs/design.md, ...), never a specification or
style guide that lives next to the checkout. Usage:

    scripts/check_self_contained.py [ROOT]

ROOT defaults to the repository this script is in. Files are those git
tracks or would track (untracked, not ignored) when ROOT is the top of a git
checkout; otherwise every file outside build*/ and .git/. Prints each offending file:line and exits 1.
"""

import os
import subprocess
import sys

# Spelled in pieces so that this file does not match itself.
PATTERNS = (
    "MODELS" + ".md",
    "shared" + "/spec",
    "../" + "shared",
    "/work/" + "shared",
)


def files(root):
    try:
        top = subprocess.run(["git", "-C", root, "rev-parse", "--show-toplevel"],
                             check=True, capture_output=True).stdout.decode().strip()
        if os.path.realpath(top) != os.path.realpath(root):
            raise OSError("not the top of a git checkout")
        out = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            check=True, capture_output=True).stdout
        return sorted({p for p in out.decode().split("\0") if p})
    except (OSError, subprocess.CalledProcessError):
        found = []
        for top, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs
                       if d != ".git" and not d.startswith("build")]
            found += [os.path.relpath(os.path.join(top, n), root) for n in names]
        return sorted(found)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..")
    bad = 0
    for rel in files(root):
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    for pattern in PATTERNS:
                        if pattern in line:
                            print(f"{rel}:{number}: refers to '{pattern}' "
                                  f"outside the repository: {line.strip()}")
                            bad += 1
        except OSError as e:
            print(f"{rel}: cannot read: {e}")
            bad += 1
    if bad:
        print(f"{bad} reference(s) to files outside the repository; state the "
              "fact or cite the repository's own docs (docs/semantics.md)")
        return 1
    print(f"ok: no references outside the repository ({root})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
