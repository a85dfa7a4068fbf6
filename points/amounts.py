"""Points as numbers: exact decimals of at most three places, truncated, never rounded."""

from decimal import ROUND_DOWN, Decimal

THOUSANDTH = Decimal("0.001")


def points_truncate(value: Decimal) -> Decimal:
    """`value` cut (toward zero) to three places, as the document prices everything."""
    return value.quantize(THOUSANDTH, rounding=ROUND_DOWN)


def points_text(value: Decimal) -> str:
    """`2`, `3.6`, `0.003`: the amount as people write it, for messages."""
    text = f"{points_truncate(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
