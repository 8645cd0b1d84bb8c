"""
Verify-action (Zulip's idea): for every server event type, the frames an action produced, applied to
the snapshot from before it, give the fresh snapshot taken after it.

Each scenario is recorded once on the real consumer (tests/realtime/verify_action.py) and replayed
twice: by the server's own store (realtime/store.py) and, under node, by the browser's
(static/js/room/store.js, through tests/js/verify_action.mjs).
"""

import json
import os
import shutil
import subprocess

import pytest

from realtime import store
from tests.conftest import ROOT
from tests.realtime.verify_action import SCENARIOS, event_types, record_scenario

pytestmark = [pytest.mark.django_db(transaction=True)]

NODE = shutil.which("node") or "/usr/bin/node"
NODE_VERIFY = ["--test", "tests/js/verify_action.mjs"]


def replay(socket: dict) -> dict:
    """A socket's state after its recorded frames, from its snapshot before them (realtime/store.py)."""
    state = store.apply_snapshot(socket["before"])
    for frame in socket["frames"]:
        if frame["type"] == "ack":
            state = store.apply_ack(state, frame)
        elif frame["type"] != "pong":
            state = store.apply_event(state, frame)
    return state


def node(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([NODE, *NODE_VERIFY], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_events_applied_to_the_snapshot_before_give_the_snapshot_after(scenario, tmp_path):
    """For every socket (two participants, the moderator, the projector), in Python and in the browser's store."""
    recording = await record_scenario(scenario)
    path = tmp_path / "recordings.json"
    path.write_text(json.dumps([recording]))

    replayed = {socket["name"]: replay(socket) for socket in recording["sockets"]}
    result = node({**os.environ, "VERIFY_ACTION_RECORDINGS": str(path)})

    assert SCENARIOS[scenario][2] <= event_types(recording)
    assert replayed == {
        socket["name"]: store.apply_snapshot(socket["after"]) for socket in recording["sockets"]
    }
    assert result.returncode == 0, result.stdout + result.stderr


def test_scenarios_cover_every_event_type():
    """Between them the scenarios produce every event type of both streams but the presence gauge."""
    covered = set().union(*(types for _setup, _act, types in SCENARIOS.values()))

    assert covered == store.EVENT_TYPES - {"presence.changed"}


def test_node_half_fails_without_recordings():
    """Run without recordings the node half fails: it never passes by checking nothing."""
    result = node({key: value for key, value in os.environ.items() if key != "VERIFY_ACTION_RECORDINGS"})

    assert result.returncode != 0
    assert "VERIFY_ACTION_RECORDINGS is not set" in result.stdout + result.stderr
