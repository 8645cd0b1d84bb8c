"""The web process freezes its startup heap and collects garbage less often (trialoog/asgi.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_asgi_application_freezes_the_startup_heap_and_sets_the_thresholds():
    code = (
        "import gc, json, trialoog.asgi as a; "
        "print(json.dumps([gc.get_freeze_count(), list(gc.get_threshold()), list(a.GC_THRESHOLDS), "
        "len(gc.get_objects(generation=2))]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "trialoog.settings.local"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    frozen, thresholds, wanted, left_in_oldest = json.loads(out.stdout.strip().splitlines()[-1])

    assert thresholds == wanted
    assert wanted[0] > 700  # above Python's default: fewer collections
    assert frozen > 50_000  # Django, the apps and the URL patterns
    assert left_in_oldest < frozen / 10  # a full collection no longer walks them
