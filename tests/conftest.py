"""Shared test fixtures: the CLI runner, the shared test-data folder, small generated trees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("FKIT_TESTDATA", REPO.parent / "shared" / "testdata"))


def testdata(*parts: str) -> Path:
    """Path of a file in ../shared/testdata, or skip the test with a clear message."""
    path = TESTDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not available: {path} (set FKIT_TESTDATA or check out ../shared)")
    return path


testdata.__test__ = False  # type: ignore[attr-defined]  # imported by test modules; not a test


# Property tests never fail on timing: a loaded CI machine must not turn a slow example red
# (hangs are caught by the explicit time-budget tests instead).
try:
    from hypothesis import settings as _hyp_settings

    _hyp_settings.register_profile("fkit", deadline=None)
    _hyp_settings.load_profile("fkit")
except ImportError:  # hypothesis is a test dependency; without it the property tests are skipped
    pass


@pytest.fixture
def shared_testdata() -> Path:
    """The ../shared/testdata folder, or skip."""
    return testdata()


def fkit(*args: str | os.PathLike[str], input: bytes | None = None, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the real ``fkit`` command (``python -m forensic_kit``) as a user would."""
    full_env = dict(os.environ)
    full_env.pop("FKIT_DEBUG", None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "forensic_kit", *map(os.fspath, args)],
        input=input, capture_output=True, cwd=cwd, env=full_env, timeout=600,
    )


def default_sigint() -> None:
    """``preexec_fn`` for a child that a test interrupts with SIGINT: the disposition a person at a
    terminal has. A test run started as a background job (``make test &``) inherits SIGINT ignored,
    and Python then never raises KeyboardInterrupt: the Ctrl-C tests must not depend on how the
    suite was started."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def run_fkit():
    """The :func:`fkit` runner as a fixture."""
    return fkit
