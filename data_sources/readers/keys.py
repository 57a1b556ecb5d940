"""A notebook's key (its id) is a secret: what the repository does for keys that arrive from elsewhere.

An address of an earlier version carried the key (``?nb=…``). Such an address is honoured once: the first
browser that opens it takes the notebook into its own storage, and the repository remembers that the old
address was used (a marker row), so a copy of the address opened later, anywhere, opens nothing.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from data_sources.readers.models import Notebook

OLD_LINK_PREFIX = "oldlink-"  # marker rows: the key of a notebook whose old address was used (never a reader's)


def old_link_marker(notebook_id: str) -> str:
    """The marker row's id for ``notebook_id`` (a one-way hash: the marker does not reveal the key)."""
    return OLD_LINK_PREFIX + hashlib.sha256(("old-link:" + notebook_id).encode()).hexdigest()[:40]


class NotebookKeys:
    """Repository methods about notebook keys (mixed into :class:`~data_sources.readers.repository.Repository`)."""

    def claim_old_link(self, notebook_id: str) -> bool:
        """True the first time an old address naming ``notebook_id`` (an existing notebook) is used, False
        when the notebook does not exist or its old address was used before (by anyone)."""
        notebook_id = self._checked_id(notebook_id)  # type: ignore[attr-defined]
        marker = old_link_marker(notebook_id)
        with self._write() as session:  # type: ignore[attr-defined]
            found = set(session.scalars(select(Notebook.id).where(Notebook.id.in_([notebook_id, marker]))).all())
            if notebook_id not in found or marker in found:
                return False
            try:
                with session.begin_nested():  # a savepoint: a clash leaves the transaction usable
                    now = self._clock()  # type: ignore[attr-defined]
                    session.add(Notebook(id=marker, title="old address used", created_at=now))
            except IntegrityError:  # another browser used the same old address at the same moment
                return False
            return True
