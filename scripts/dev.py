#!/usr/bin/env python3
"""One entry point for the book: set up, build, test, refresh, make student versions.

Runs with a bare Python 3.11 (standard library only). It creates the virtual environment
``.venv`` next to this repository, installs ``requirements.txt`` into it (again only when
``requirements.txt`` or ``pyproject.toml`` changed), and runs everything inside it.

    python3.11 scripts/dev.py book      set up, then build the web book strictly
    python3.11 scripts/dev.py test      set up, then run the package tests and strict nbval
    python3.11 scripts/dev.py lab       set up, then start JupyterLab on chapters/
    python3.11 scripts/dev.py refresh   re-execute every notebook in place, in toc order
    python3.11 scripts/dev.py student   write student versions into _build/student/
    python3.11 scripts/dev.py nudge     find stored outputs that depend on the last bit of the arithmetic
    python3.11 scripts/dev.py setup     only create/update .venv

Extra arguments after ``test`` go to pytest (e.g. ``-k sigmoid``); after ``refresh``, the
notebooks to refresh (default: all in _toc.yml); likewise after ``nudge``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("BACKPROP_VENV", ROOT / ".venv"))
STAMP = VENV / ".requirements-hash"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# The test command. nbval runs in strict mode (never --nbval-lax): stored outputs are the
# expected results. -p no:cacheprovider keeps the clean clone clean.
PYTEST_ARGS = [
    "-m", "pytest", "tests", "chapters",
    "--nbval", "--nbval-current-env",
    "--nbval-sanitize-with", "tests/sanitize.cfg",
    "-p", "no:cacheprovider",
]
BOOK_ARGS = ["build", ".", "--all", "-W", "-n", "--keep-going"]


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(cmd: list, **kwargs) -> int:
    say(" ".join(str(c) for c in cmd))
    env = dict(os.environ, PYTHONHASHSEED="0", PYDEVD_DISABLE_FILE_VALIDATION="1")
    # One BLAS thread: the same arithmetic (so the same stored outputs) on any number of
    # cores, and steady timings on a busy machine; the book's arrays are small anyway.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    return subprocess.call([str(c) for c in cmd], cwd=kwargs.pop("cwd", ROOT), env=env, **kwargs)


def requirements_hash() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def setup() -> None:
    """Create .venv if needed and install requirements.txt when it changed."""
    if sys.version_info[:2] < (3, 11):
        sys.exit(f"[dev] Python 3.11 or newer is needed; this is {sys.version.split()[0]}. "
                 "Run this script with python3.11.")
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    wanted = requirements_hash()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    say("installing requirements.txt into the virtual environment (a few minutes the first time)")
    steps = [
        [PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [PYTHON, "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
    ]
    for step in steps:
        if run(step) != 0:
            sys.exit("[dev] installation failed; see the pip output above")
    STAMP.write_text(wanted)


def test(extra: list[str]) -> int:
    setup()
    code = run([PYTHON, *PYTEST_ARGS, *extra])
    if code == 5:
        say("pytest collected no tests: that is a failure here")
        return 1
    return code


def book() -> int:
    setup()
    code = run([BIN / "jupyter-book", *BOOK_ARGS])
    index = ROOT / "_build" / "html" / "index.html"
    if code == 0:
        say(f"the book is built: open {index} in a web browser")
        say("to run the chapters yourself: python3.11 scripts/dev.py lab   (JupyterLab on chapters/)")
    else:
        say("the strict build failed: every warning above is an error")
    return code


def lab(extra: list[str]) -> int:
    setup()
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        say("running as root (e.g. in a container): passing --allow-root to JupyterLab")
        extra = ["--allow-root", *extra]
    return run([BIN / "jupyter", "lab", *extra], cwd=ROOT / "chapters")


def booktools(command: str, extra: list[str]) -> int:
    setup()
    return run([PYTHON, ROOT / "scripts" / "booktools.py", command, *extra])


def main(argv: list[str]) -> int:
    commands = ("setup", "book", "test", "lab", "refresh", "student", "nudge")
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    if command == "setup":
        setup()
        say(f"ready: {VENV}")
        return 0
    if command == "book":
        return book()
    if command == "test":
        return test(extra)
    if command == "lab":
        return lab(extra)
    return booktools(command, extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
