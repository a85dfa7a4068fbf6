"""The browsable API's page titles: each route's summary in the OpenAPI schema (Chinese), where
REST framework would name it after its class (`Transactions`, `Envelope Not Found`)."""

import functools

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.views import get_view_name


@functools.cache
def _summaries() -> dict[type, str]:
    """View class → its first operation's summary, read once per process from the schema
    (a fifth of a second; the schema's warnings are the schema command's to print)."""
    generator = SchemaGenerator()
    with GENERATOR_STATS.silence():
        schema = generator.get_schema(request=None, public=True)
    names: dict[type, str] = {}
    for path, _, method, callback in generator.endpoints:
        summary = schema["paths"].get(path, {}).get(method.lower(), {}).get("summary")
        view_class = getattr(callback, "cls", None)
        if view_class is not None and summary:
            names.setdefault(view_class, summary)
    return names


def view_name(view) -> str:
    return _summaries().get(type(view)) or get_view_name(view)
