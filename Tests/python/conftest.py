"""Shared fixtures: the custody binary, the repository, the shared specs."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def custody():
    binary = os.environ.get("CUSTODY_BIN", str(ROOT / ".build" / "debug" / "custody"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"custody binary not found at {binary}: run `swift build` or set CUSTODY_BIN")

    def run(*args, check=True, **kwargs):
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, timeout=120, **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"custody {' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    return run


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def shared():
    path = pathlib.Path(os.environ.get("CUSTODY_SHARED", ROOT.parent / "shared"))
    if not (path / "specs").is_dir():
        pytest.fail(f"the shared specs are missing at {path}/specs (set CUSTODY_SHARED)")
    return path


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """A failing test must not leave `custody run` or `custody broker` behind."""
    yield
    from custody_harness import stop_leftovers
    stop_leftovers()
