"""The sign-in throttle: failure counts under the SHA-256 of their key, never the key itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from sqlalchemy import RowMapping, bindparam, update

from needlepoint.adapters.db.repository import SqlRepository, upsert
from needlepoint.adapters.db.tables import login_throttle
from needlepoint.domain.throttling import ThrottleCount


class SqlThrottleRepository(SqlRepository):
    """Sign-in failure counts, one row per throttle key, locked by the transaction reading them.

    ``lock`` is one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) over the keys in
    ascending order: it creates a missing row and locks every row until the transaction ends
    (PostgreSQL: the row locks of the update; SQLite: the write lock ``BEGIN IMMEDIATE`` took),
    so racing attempts are checked and charged one after another, in any number of processes.
    """

    def lock(self, keys: Sequence[str]) -> Mapping[str, ThrottleCount]:
        """The counts of these keys (a new key counts nothing), locked until the commit."""
        connection = self._connection()
        statement = (
            upsert(connection, login_throttle)
            .values([{"key_hash": key, "failures": 0} for key in sorted(set(keys))])
            .on_conflict_do_update(
                index_elements=["key_hash"], set_={"failures": login_throttle.c.failures}
            )
            .returning(*login_throttle.c)
        )
        rows = connection.execute(statement).mappings().all()
        return {row["key_hash"]: _count_from_row(row) for row in rows}

    def save(self, counts: Mapping[str, ThrottleCount]) -> None:
        """Keep the counts of keys locked in this transaction."""
        values = [
            {
                "b_key_hash": key,
                "b_failures": count.failures,
                "b_last_failure_at": count.last_failure_at,
                "b_last_success_at": count.last_success_at,
            }
            for key, count in sorted(counts.items())
        ]
        self._connection().execute(_SAVE_COUNT, values)


def _count_from_row(row: RowMapping) -> ThrottleCount:
    return ThrottleCount(
        failures=row["failures"],
        last_failure_at=row["last_failure_at"],
        last_success_at=row["last_success_at"],
    )


_SAVE_COUNT: Final = (
    update(login_throttle)
    .where(login_throttle.c.key_hash == bindparam("b_key_hash"))
    .values(
        failures=bindparam("b_failures"),
        last_failure_at=bindparam("b_last_failure_at"),
        last_success_at=bindparam("b_last_success_at"),
    )
)
