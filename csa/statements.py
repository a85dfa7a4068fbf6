"""Hand-written SQL for the few reads every request makes, where compiling the ORM's query
costs more than running it. Each statement lives beside the selector it serves, and a test
holds it to the answer of the ORM query it replaces (tests/api/test_statements.py)."""

import functools

from django.db import connection
from django.db.models import Field, Model


def columns_of(model: type[Model], alias: str) -> str:
    """The model's columns, in field order, as `alias."column", …`."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def instance_of(model: type[Model], values: tuple) -> Model:
    """A model instance from values in `columns_of` order, converted as the ORM converts a row
    (SQLite, say, hands back dates and UUIDs as text)."""
    names, converters = _reading(model)
    converted = [
        _converted(value, converter) if converter else value
        for value, converter in zip(values, converters, strict=True)
    ]
    return model.from_db(connection.alias, names, converted)


def parameter(field: Field, value):
    """`value` as the database takes it for `field` (a UUID is text on SQLite)."""
    return field.get_db_prep_value(value, connection)


def fetch_one(sql: str, params: list) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _reading(model: type[Model]) -> tuple[list[str], list[tuple]]:
    names, converters = [], []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        names.append(field.attname)
        converters.append((column, functions) if functions else None)
    return names, converters


def _converted(value, converter: tuple):
    column, functions = converter
    for function in functions:
        value = function(value, column, connection)
    return value
