from uuid import UUID


def uuid_or_none(value: object) -> UUID | None:
    """The UUID an opaque id from a URL names, or None when it cannot name any record."""
    try:
        return UUID(str(value))
    except ValueError:
        return None
