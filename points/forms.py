from decimal import Decimal

from django import forms

from accounts.models import User
from points import services
from points.models import POINTS_DECIMAL_PLACES, POINTS_MAX_DIGITS


class PointsChangeForm(forms.Form):
    """Staff change a user's points: a positive amount is a recharge, a negative one a
    correction that must give its reason."""

    amount = forms.DecimalField(
        label="积分",
        max_digits=POINTS_MAX_DIGITS,
        decimal_places=POINTS_DECIMAL_PLACES,
        help_text="正数为充值；负数为扣减（须写明原因）。最多三位小数。",
    )
    description = forms.CharField(
        label="说明", max_length=255, required=False, initial=services.RECHARGE_DESCRIPTION
    )
    reference_id = forms.CharField(
        label="关联ID", max_length=128, required=False, help_text="如订单号，可留空"
    )

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError("积分不能为0")
        return amount

    def clean(self) -> dict:
        cleaned = super().clean()
        amount = cleaned.get("amount")
        if amount is not None and amount < 0 and not cleaned.get("description", "").strip():
            self.add_error("description", "扣减积分须写明原因")
        return cleaned

    def save(self, *, user: User, staff: User):
        """Record the change through the ledger; ApplicationError if the ledger refuses it."""
        return services.points_adjust(
            user=user,
            amount=self.cleaned_data["amount"],
            description=self.cleaned_data["description"] or services.RECHARGE_DESCRIPTION,
            reference_id=self.cleaned_data["reference_id"] or None,
            recorded_by=staff,
        )
