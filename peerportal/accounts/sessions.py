"""The session engine: Django's cached_db, with a cheaper write of an existing session.

Django's database store updates a session row inside ``transaction.atomic()``: BEGIN, the
UPDATE, COMMIT, three round trips for one statement that is atomic on its own. Every
request that changes its session pays that (a message after a booking, a sign-in, the
page that shows and clears the message). Here the update is the one UPDATE; creating a
session (where the transaction tells a duplicate key apart) and everything else is
Django's. The cache is written after the database, as cached_db does.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create)
        data = self._get_session()
        using = router.db_for_write(self.model)
        updated = (
            self.model.objects.using(using)
            .filter(session_key=self.session_key)
            .update(session_data=self.encode(data), expire_date=self.get_expiry_date())
        )
        if not updated:  # signed out elsewhere meanwhile: as Django's store answers it
            raise UpdateError
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)
