from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; ES-module imports (`import … from "./store.js";` in static/js/room/) are rewritten too."""

    support_js_module_import_aggregation = True
