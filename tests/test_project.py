"""The project's contract: bounded requirements, the README's commands, CI and book settings."""

import re

import yaml
from conftest import ROOT


def test_every_requirement_is_bounded_by_major_version_and_not_frozen():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [line for line in lines if line and not line.startswith("-e")]
    assert "-e ." in lines, "the package itself is installed, editable"
    for req in reqs:
        assert "==" not in req, f"{req}: do not freeze"
        assert re.search(r">=\s*[\d.]+", req) and re.search(r",\s*<\s*\d+", req), f"{req}: bound it by major version"
    names = {re.split(r"[<>=!~\[ ]", r)[0].lower() for r in reqs}
    for needed in ["jupyter-book", "numpy", "matplotlib", "ipywidgets", "sympy", "nbval", "pytest", "sphinx-exercise"]:
        assert needed in names
    assert re.search(r"jupyter-book>=1\.0\.4,<2", (ROOT / "requirements.txt").read_text())


def test_readme_opens_with_the_two_commands_and_ci_runs_the_same_test_command():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S)[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["python3.11 scripts/dev.py book", "python3.11 scripts/dev.py test"]
    assert readme.index("```bash") < readme.index("## ")
    assert "_build/html/index.html" in readme and "scripts/dev.py lab" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert '"$PYTHON" scripts/dev.py test' in ci and '"$PYTHON" scripts/dev.py book' in ci
    assert "rm -rf .venv" in ci


def test_dev_py_runs_strict_nbval_and_the_strict_build():
    import dev  # scripts/ is on sys.path (conftest)

    assert "--nbval-lax" not in dev.PYTEST_ARGS
    for flag in ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "tests", "chapters"]:
        assert flag in dev.PYTEST_ARGS
    assert dev.BOOK_ARGS == ["build", ".", "--all", "-W", "-n", "--keep-going"]
    assert 'PYTHONHASHSEED="0"' in (ROOT / "scripts" / "dev.py").read_text()


def test_book_config_shows_stored_outputs_and_builds_only_the_toc():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["only_build_toc_files"] is True
    assert "sphinx_exercise" in config["sphinx"]["extra_extensions"]
