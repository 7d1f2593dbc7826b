"""Static files in production: compressed, named after a hash of their content, cached for a year by browsers."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # The capture screen's ES modules import each other ("./api.js"). Rewritten to the hashed names, the imports
    # match the modules the page preloads (no module fetched twice) and, never changing, are cached for good.
    support_js_module_import_aggregation = True
