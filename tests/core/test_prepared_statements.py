"""On PostgreSQL a statement a connection runs often is prepared on the server (planned once),
unless DB_PREPARED_STATEMENTS=0 turns it off for a connection pooler that cannot keep them;
a kept statement whose columns a migration changed is planned anew."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import NotSupportedError, connection, transaction

from peerportal.accounts.models import User
from peerportal.core.replan import STALE_PLAN
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]

_PRINT_OPTIONS = (
    "import json, peerportal.settings as s; "
    "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
)


def _database_options(**env: str) -> dict:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DB_PREPARED_STATEMENTS", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        DATABASE_URL="postgres://someone@db.invalid:5432/peerportal",
        SECRET_KEY="settings-test-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", _PRINT_OPTIONS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_deployment_prepares_statements_unless_told_not_to():
    assert _database_options() == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(DB_PREPARED_STATEMENTS="1") == {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    options = _database_options(DB_PREPARED_STATEMENTS="0")
    assert "server_side_binding" not in options and "prepare_threshold" not in options


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_read_run_five_times_is_prepared_on_the_server():
    person = UserFactory()

    # A read no other test runs, so that nothing has prepared it on this connection yet.
    queryset = User.objects.filter(pk=person.pk).values_list("pk", "display_name", "pk")
    sql = str(queryset.query).split(" WHERE ")[0]

    def read():
        return list(queryset.all())  # a new queryset: each call runs the statement

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall() if row[0].startswith(sql)]

    row = (person.pk, person.display_name, person.pk)
    assert read() == [row]
    assert prepared() == []
    for _ in range(4):
        assert read() == [row]
    assert prepared() == []
    assert read() == [row]
    # Run a fifth time, it was prepared: the statement with its $1 placeholder, planned once
    # and kept by this connection.
    [statement] = prepared()
    assert statement.startswith(f'{sql} WHERE "accounts_user"."id" = $1')


def _other_connection():
    """A second connection to the test database, as `migrate` in another process would be."""
    import psycopg

    params = connection.get_connection_params()
    keys = ("dbname", "user", "password", "host", "port")
    return psycopg.connect(**{k: params[k] for k in keys if params.get(k)}, autocommit=True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_before_a_migration_changed_its_columns_is_planned_anew():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE replan_probe (id integer PRIMARY KEY, name varchar(10))")
        cursor.execute("INSERT INTO replan_probe VALUES (1, 'Harbor')")

    def read():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name FROM replan_probe WHERE id = %s", [1])
            return cursor.fetchall()

    try:
        for _ in range(6):  # prepared from the fifth run on
            assert read() == [(1, "Harbor")]
        with _other_connection() as other:
            other.execute("ALTER TABLE replan_probe ALTER COLUMN name TYPE varchar(20)")
        # PostgreSQL refuses the kept statement; it is planned anew and answers.
        assert read() == [(1, "Harbor")]
        assert read() == [(1, "Harbor")]

        # Inside a transaction the refusal stands (the transaction is aborted); its
        # rollback makes the connection drop the kept statements, and the next read answers.
        for _ in range(6):
            read()
        with _other_connection() as other:
            other.execute("ALTER TABLE replan_probe ALTER COLUMN name TYPE varchar(30)")
        with pytest.raises(NotSupportedError, match=STALE_PLAN), transaction.atomic():
            read()
        assert read() == [(1, "Harbor")]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE replan_probe")
