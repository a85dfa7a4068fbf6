"""Login phones, kept in E.164 form so that one number is one identity however it is typed."""

import re

PHONE_PATTERN = re.compile(r"\+?\d{6,15}")
E164_PHONE = re.compile(r"\+\d{6,15}")
MAINLAND_MOBILE = re.compile(r"1\d{10}")
SEPARATORS = re.compile(r"[\s\-().]")


def phone_normalize(raw: str) -> str | None:
    """`+<country code><number>`, or None when `raw` is no phone number.

    An 11-digit number starting with 1 and no country code is a mainland China mobile, as the
    service's customers type it; any other number without `+` already carries its country code.
    """
    compact = SEPARATORS.sub("", raw)
    if not PHONE_PATTERN.fullmatch(compact):
        return None
    if compact.startswith("+"):
        return compact
    if MAINLAND_MOBILE.fullmatch(compact):
        return f"+86{compact}"
    return f"+{compact}"
