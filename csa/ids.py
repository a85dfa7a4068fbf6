import secrets
import string
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils import timezone

# Customers, staff and the payment gateways read times in China's.
BEIJING = ZoneInfo("Asia/Shanghai")
NUMBER_ALPHABET = string.digits + string.ascii_uppercase
NUMBER_RANDOM_LENGTH = 10  # 36**10: about 52 bits, on top of the second the number was made in


def uuid_or_none(value: object) -> UUID | None:
    """The UUID an opaque id from a URL names, or None when it cannot name any record."""
    try:
        return UUID(str(value))
    except ValueError:
        return None


def public_number(prefix: str) -> str:
    """`{prefix}20261207215800` (Beijing time) and ten random letters or digits: a number a
    customer can read out to support, and not guessable from the one before."""
    random_part = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_LENGTH))
    return f"{prefix}{timezone.now().astimezone(BEIJING):%Y%m%d%H%M%S}{random_part}"
