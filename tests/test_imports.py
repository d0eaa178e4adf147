"""Every module of the app and the engine imports on its own, in a fresh interpreter.

Import order must not matter: a module that works only after another one was imported first
hides a cycle that the next change turns into an error.
"""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("trainhub", "allocation")

# One interpreter loads the third-party libraries the project uses (they take most of the time and
# are not part of any cycle of ours), then forks a child per module: each child starts with no module
# of the project loaded and imports one. It prints the modules whose import failed, with the error.
_FORKING_IMPORTER = """
import os, sys, traceback
import flask, flask_sqlalchemy, flask_babel, flask_wtf, flask_login, flask_migrate, sqlalchemy, openpyxl
import numpy, scipy, numba
assert not any(m.split('.')[0] in {packages!r} for m in sys.modules), 'a library imported the project'
for name in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            __import__(name)
            message = ''
        except BaseException:
            message = name + ': ' + traceback.format_exc().strip().splitlines()[-1]
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        message = pipe.read()
    os.waitpid(pid, 0)
    if message:
        print(message)
"""


def _module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            names.append(".".join(parts))
    return names


def _import_each(names: list[str]) -> str:
    script = _FORKING_IMPORTER.format(packages=set(PACKAGES))
    done = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_every_module_imports_on_its_own():
    names = _module_names()
    assert {"trainhub.training.models", "trainhub.staffing.runs", "allocation.io"} <= set(names)
    failed = _import_each(names)
    assert failed == "", "modules that fail to import alone:\n" + failed


def test_the_check_sees_a_module_that_fails_alone(tmp_path, monkeypatch):
    # A module that needs another imported first: the check must report it.
    (tmp_path / "needs_first.py").write_text("import sys\nassert 'trainhub.scoping' in sys.modules\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert _import_each(["needs_first"]).startswith("needs_first: AssertionError")


@pytest.mark.parametrize("name", ["trainhub.training.models", "trainhub.staffing.runs"])
def test_importing_a_domain_module_loads_no_views(name):
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {name}; "
         "print(sorted(m for m in sys.modules if m.startswith('trainhub.') and m.endswith(('.views', '.blueprint'))))"],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
