"""``pip install .`` gives a working bot: the wheel is built from the source tree as a clone has it (no compiled
catalogs, no ``.venv``), installed into a new virtual environment, and its ``veiligbot`` greets in Dutch.

The new environment borrows this environment's installed dependencies (a ``.pth`` line to our site-packages,
whose own ``.pth`` files -- among them the editable install of this repository -- are not processed), so the test
needs no network for dependencies; ``bot`` itself must come from the wheel, which the test checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from tests.conftest import REPO

# Not in a clone (ignored by git), or build output: leaving them out makes the copy what a newcomer's clone holds.
ANYWHERE = shutil.ignore_patterns(
    ".git", ".venv", "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "*.mo", "messages.pot"
)
AT_THE_TOP = {"build", "dist", "data", "bench-results", ".env"}


def _not_in_a_clone(directory: str, names: list[str]) -> set[str]:
    ignored = set(ANYWHERE(directory, names))
    if Path(directory) == REPO:
        ignored |= AT_THE_TOP & set(names)
    return ignored


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, stdin: str = "", merge: bool = False) -> str:
    """Standard output of a command that must succeed (``merge``: with its standard error appended)."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr if merge else done.stdout


def test_pip_installed_wheel_runs_the_sandbox_in_dutch(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=_not_in_a_clone)
    assert not list(source.rglob("*.mo"))
    wheels = tmp_path / "wheels"
    build_log = _run(
        sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", source, "-w", wheels, cwd=tmp_path, merge=True
    )
    # -v shows the build backend's output, where setuptools reports deprecated pyproject.toml settings.
    for word in ("deprecat", "BuildBackendWarning", "SetuptoolsWarning"):
        assert word.lower() not in build_log.lower(), build_log
    (wheel,) = wheels.glob("veilig_noord_veluwe-*.whl")

    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    purelib = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip()
    )
    (purelib / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel, cwd=tmp_path)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VEILIGBOT_", "DATABASE_URL"))}
    env["VEILIGBOT_DATA_DIR"] = str(tmp_path / "data")
    where = _run(python, "-c", "import bot, handlers, knowledge; print(bot.__file__)", cwd=tmp_path, env=env)
    assert Path(where.strip()).is_relative_to(purelib), where

    transcript = _run(target / "bin" / "veiligbot", "chat", "--script", "-", cwd=tmp_path, env=env, stdin="/start\n")
    assert "bot → Hallo Anna! Ik ben de veiligheidsassistent van de gemeenten" in transcript, transcript
