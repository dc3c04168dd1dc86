"""Statements prepared before a migration changed the columns they return.

With prepared statements on (``DB_PREPARED_STATEMENTS``), each PostgreSQL connection keeps
the statements it runs often. A migration may change the columns such a statement returns
(a longer text field, say). PostgreSQL then refuses the kept statement ("cached plan must
not change result type"), on every run, until the connection ends; psycopg does not make
it again by itself.

``replan_stale_statements`` catches that refusal. Outside a transaction, it has the
connection drop its prepared statements (``DEALLOCATE ALL``, which psycopg follows by
emptying its own list) and runs the statement once more, planned anew. Inside a transaction,
the failure stands: the transaction is already aborted. Its rollback makes psycopg drop the
statements as well, so the next request is served.
"""

from __future__ import annotations

from django.db import NotSupportedError

STALE_PLAN = "cached plan must not change result type"


def replan_stale_statements(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except NotSupportedError as exc:
        connection = context["connection"]
        if STALE_PLAN not in str(exc) or connection.in_atomic_block:
            raise
        connection.connection.execute("DEALLOCATE ALL")
    return execute(sql, params, many, context)


def install(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: on a PostgreSQL connection that prepares statements."""
    if connection.vendor != "postgresql":
        return
    if connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold") is None:
        return  # psycopg prepares nothing (Django's default)
    if replan_stale_statements not in connection.execute_wrappers:
        connection.execute_wrappers.append(replan_stale_statements)
