import json
import re

from django.core.management import call_command
from django.test import override_settings

IMPORT = re.compile(r"""\bfrom\s*["'](\./[^"']+)["']""")


def test_collectstatic_points_every_module_import_of_the_live_client_at_a_hashed_file(tmp_path, settings):
    """In production each ES module of static/js/room/ imports the hashed names of the others, which exist."""
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "trialoog.storage.StaticFilesStorage"}}
    with override_settings(STATIC_ROOT=str(tmp_path), STORAGES=storages):
        call_command("collectstatic", "--noinput", "-v0")
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    modules = {name: hashed for name, hashed in manifest.items() if name.startswith("js/room/")}

    imports = {
        name: IMPORT.findall((tmp_path / hashed).read_text()) for name, hashed in sorted(modules.items())
    }

    assert "js/room/main.js" in modules
    assert imports["js/room/main.js"]
    for name, found in imports.items():
        for target in found:
            resolved = f"js/room/{target.removeprefix('./')}"
            assert resolved in modules.values(), (name, target)
            assert (tmp_path / resolved).exists(), (name, target)
