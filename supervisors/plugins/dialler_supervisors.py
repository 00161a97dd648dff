"""The supervisors' browser view of the live dialler database (scripts/supervisors-ui).

Datasette loads every file of this folder (--plugins-dir) as a plugin. This one:

- names the database `dialler`, whatever its file is called, so that metadata.yaml's canned
  queries and dashboard find it under one name;
- refuses a database opened immutable (`-i`): SQLite then ignores the live file's -wal, where the
  latest commits are, and may read pages that the server is changing underneath it;
- makes every connection to it `PRAGMA query_only`, on top of the `?mode=ro` Datasette already
  opens a mutable file with: nothing in this process can take the write lock the server needs;
- hides every table, so that the database page lists the views, the supervisors' interface
  (hidden is not forbidden: a table's page and SQL still read it);
- puts a SQLite authorizer on every connection that refuses to read the columns holding secrets:
  partners' webhook signing secrets (sealed or not) and the hashes of API keys. SQLite asks it
  about every column a statement would read, through views, subqueries and CTEs alike, when the
  statement is prepared, so no SQL typed in the browser reads them; the views the supervisors
  use (webhook_endpoints_report: url, events, state) never name them. The raw database pages
  (sqlite_dbpage, where SQLite has it) are refused too, and so is ATTACH.
"""

import sqlite3

from datasette import hookimpl
from datasette.utils import StartupError

NAME = "dialler"
_tables = []

# table -> the columns no connection of this process may read.
SECRET_COLUMNS = {
    "webhook_endpoints": {"secret", "sealed_secret", "previous_secret", "sealed_previous_secret"},
    "api_keys": {"key_sha256"},
}
# Tables whose every column is refused: the file's raw pages.
SECRET_TABLES = {"sqlite_dbpage"}


def authorizer(action, first, second, database, source):
    """SQLite's authorizer callback (sqlite.org/c3ref/set_authorizer.html): for SQLITE_READ,
    `first` is the table and `second` the column, whichever schema or view the read comes through."""
    if action == sqlite3.SQLITE_READ:
        table = (first or "").lower()
        if table in SECRET_TABLES or (second or "").lower() in SECRET_COLUMNS.get(table, ()):
            return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_ATTACH:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def startup(datasette):
    async def inner():
        files = [db for db in datasette.databases.values() if db.path and not db.is_memory]
        if len(files) != 1:
            raise StartupError(f"supervisors: expected one database file, got {len(files)}")
        db = files[0]
        if not db.is_mutable:
            raise StartupError(
                f"supervisors: {db.path} is opened immutable (-i); a live WAL database must be "
                "opened read-only instead (a plain FILES argument)"
            )
        if db.name != NAME:
            datasette.remove_database(db.name)
            datasette.add_database(db, name=NAME)
        _tables[:] = await db.table_names()

    return inner


@hookimpl
def prepare_connection(conn, database, datasette):
    if database not in ("_internal", "_memory"):  # Datasette's own in-memory databases
        conn.execute("PRAGMA query_only = 1")
        conn.set_authorizer(authorizer)


@hookimpl
def get_metadata(datasette, key, database, table):
    return {"databases": {NAME: {"tables": {name: {"hidden": True} for name in _tables}}}}
