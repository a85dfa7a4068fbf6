from decimal import Decimal

from rest_framework import serializers


def points_number(amount: Decimal) -> int | float:
    """Points as a JSON number: whole amounts as integers, others with their (at most 3) places.

    A float's shortest representation of a 3-place decimal prints exactly those digits.
    """
    normalized = amount.quantize(Decimal("0.001"))
    return int(normalized) if normalized == normalized.to_integral_value() else float(normalized)


class PointsField(serializers.Field):
    def to_representation(self, value: Decimal) -> int | float:
        return points_number(value)
