"""
`make lint` enforces the import rules of docs/architecture.md with import-linter (pyproject.toml).

Each test runs the real `lint-imports` with the project's own contracts on a
copy of the project's packages, once as they are and once with one forbidden
import added, so a contract that silently stopped matching would fail here.
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CORE_TO_EDGE = "The realtime core never imports the edge (the socket and the HTTP views)"
APPS_TO_EDGE = "events, accounts, mail and reports never import the realtime edge"
LAYERS = (
    "The realtime core in layers: services, events and broadcast, snapshots, reads, tallies, lens, shapes"
)
ACYCLIC = "No import circle among the modules of realtime"


def _copy(tmp_path: Path) -> Path:
    """The packages import-linter reads (its root_packages) and pyproject.toml, copied to tmp_path."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for package in config["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _broken(tree: Path) -> tuple[int, set[str]]:
    """lint-imports' exit code and the names of the contracts it reports broken."""
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "300"},  # one summary line per contract
    )
    return result.returncode, set(re.findall(r"^(.+) BROKEN(?: \(.*\))?$", result.stdout, re.MULTILINE))


def test_the_project_keeps_every_contract(tmp_path):
    assert _broken(_copy(tmp_path)) == (0, set())


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The edge imports the core, so this is also a circle, and reports reach the edge through payloads.
        (
            "realtime/payloads.py",
            "from realtime.live import consumer",
            {CORE_TO_EDGE, APPS_TO_EDGE, LAYERS, ACYCLIC},
        ),
        # The views import services: a circle too.
        ("realtime/services/votes.py", "from realtime.views import common", {CORE_TO_EDGE, ACYCLIC}),
        # Services reach reports through accounts.services (a person's erasure), so the core does too.
        (
            "reports/selectors.py",
            "from realtime.groupcommit import GroupCommit",
            {APPS_TO_EDGE, CORE_TO_EDGE},
        ),
        # The circle issue 16 found: broadcast -> selectors -> services/rooms -> broadcast.
        ("realtime/selectors.py", "from realtime.services.rooms import question_pin", {LAYERS, ACYCLIC}),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, broken):
    tree = _copy(tmp_path)
    with (tree / module).open("a") as source:
        source.write(f"\n{line}  # noqa\n")

    assert _broken(tree) == (1, broken)
