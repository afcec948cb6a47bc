"""Static files in production: hashed, compressed names (WhiteNoise), without following the
source-map comments of packaged JavaScript and CSS.

Django's manifest storage rewrites `//# sourceMappingURL=…` to the map's hashed name and fails
when a package ships the comment without the map (Leaflet.markercluster from PyPI does): a
deployment's collectstatic would stop there. Browsers fetch a source map only with the developer
tools open, so the comment is left as it is.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (extension, tuple(p for p in patterns if "sourceMappingURL" not in str(p)))
        for extension, patterns in CompressedManifestStaticFilesStorage.patterns
    )
