import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_python():
    """Run a Python snippet in a fresh interpreter with a chosen environment; return the result."""

    def run(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
        base = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        }
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
