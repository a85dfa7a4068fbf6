"""Checks of one feature's routes in the served OpenAPI schema."""


def assert_documented_under(schema: dict, tag: str, documented: dict) -> None:
    """Each of `documented`'s (path, method) carries `tag`, a summary and at least its statuses;
    the tag is described as the portal's."""
    for (path, method), statuses in documented.items():
        operation = schema["paths"][path][method]
        assert operation["tags"] == [tag], (path, method)
        assert statuses <= set(operation["responses"]), (path, method)
        assert operation["summary"], (path, method)
    [described] = [entry for entry in schema["tags"] if entry["name"] == tag]
    assert described["description"].startswith("门户：")
