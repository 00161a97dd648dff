"""The supervisors' browser view of the live dialler database (scripts/supervisors-ui).

Datasette loads every file of this folder (--plugins-dir) as a plugin. This one:

- names the database `dialler`, whatever its file is called, so that metadata.yaml's canned
  queries and dashboard find it under one name;
- refuses a database opened immutable (`-i`): SQLite then ignores the live file's -wal, where the
  latest commits are, and may read pages that the server is changing underneath it;
- makes every connection to it `PRAGMA query_only`, on top of the `?mode=ro` Datasette already
  opens a mutable file with: nothing in this process can take the write lock the server needs;
- hides every table, so that the database page lists the views, the supervisors' interface
  (hidden is not forbidden: a table's page and SQL still read it).
"""

from datasette import hookimpl
from datasette.utils import StartupError

NAME = "dialler"
_tables = []


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


@hookimpl
def get_metadata(datasette, key, database, table):
    return {"databases": {NAME: {"tables": {name: {"hidden": True} for name in _tables}}}}
