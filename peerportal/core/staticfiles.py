"""Static files storage for production: WhiteNoise's compressed, hashed-name storage whose
``url()`` answers are remembered for the life of the process.

Every page's ``base.html`` asks for six static URLs. ``ManifestStaticFilesStorage.url()``
looks the name up in the manifest, splits and re-joins it and joins it to ``STATIC_URL``
each time (about 50 Python calls per URL), yet the answer cannot change while the process
runs: the manifest is read once, when the storage is created, and ``STATIC_URL`` is fixed.
So the answers are kept per name, and forgotten whenever ``collectstatic`` post-processes
(hashing) files through this storage.
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Static names a site asks for are few; past this many, new names are not remembered.
MAX_REMEMBERED = 2_000


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple, str] = {}

    def url(self, name, force=False):
        # DEBUG changes the answer (unhashed names) and tests may switch it.
        key = (name, force, settings.DEBUG)
        try:
            return self._urls[key]
        except KeyError:
            pass
        url = super().url(name, force)
        if len(self._urls) < MAX_REMEMBERED:
            self._urls[key] = url
        return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
