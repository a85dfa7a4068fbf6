"""Local download links as the app signs them, made by the tests at a time of their choosing."""

import time

from django.core import signing


def signed_at(value: str, seconds_ago: int, *, salt: str) -> str:
    """`value` signed with `salt` as the app would have signed it `seconds_ago` seconds ago."""

    class Earlier(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - seconds_ago)

    return Earlier(salt=salt).sign(value)


def altered(token: str) -> str:
    """`token` with its signature's last character changed (to another one, always)."""
    return token[:-1] + ("B" if token.endswith("A") else "A")
