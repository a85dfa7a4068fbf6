from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """SQL for what only PostgreSQL has (trigram indexes); the embedded SQLite default, a
    database of one developer's rows, goes without."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_index(table: str, column: str) -> PostgreSQLOnly:
    """A trigram index on UPPER(column): what a case-insensitive substring search (Django's
    `icontains`, `UPPER(col) LIKE UPPER('%…%')` on PostgreSQL) can use, for terms of three
    characters or more."""
    name = f"{table}_{column}_trgm"
    return PostgreSQLOnly(
        f"CREATE INDEX {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)",
        f"DROP INDEX {name}",
    )
