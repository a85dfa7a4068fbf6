from decimal import Decimal

from django import forms

from accounts.models import User
from points import services
from points.models import POINTS_DECIMAL_PLACES, POINTS_MAX_DIGITS

RECHARGE, CORRECTION = "recharge", "correction"


class PointsChangeForm(forms.Form):
    """Staff change a user's points: a recharge (points sold or given, added) or a correction
    (a mistake put right, either way), which must give the reason the staff member typed."""

    kind = forms.ChoiceField(
        label="类型",
        choices=[(RECHARGE, "充值"), (CORRECTION, "更正")],
        initial=RECHARGE,
        widget=forms.RadioSelect,
        help_text="充值只能增加积分；更正可增可减，须写明原因，在积分交易中记为“更正”。",
    )
    amount = forms.DecimalField(
        label="积分",
        max_digits=POINTS_MAX_DIGITS,
        decimal_places=POINTS_DECIMAL_PLACES,
        help_text="更正时负数为扣减。最多三位小数。",
    )
    description = forms.CharField(
        label="说明",
        max_length=255,
        required=False,
        help_text=f"充值可留空（记为“{services.RECHARGE_DESCRIPTION}”）；更正必须填写原因。",
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
        amount, kind = cleaned.get("amount"), cleaned.get("kind")
        if kind == RECHARGE and amount is not None and amount < 0:
            self.add_error("amount", "充值积分必须大于0；扣减请选择“更正”并写明原因")
        if kind == CORRECTION and not cleaned.get("description", "").strip():
            self.add_error("description", "更正须写明原因")
        return cleaned

    def save(self, *, user: User, staff: User):
        """Record the change through the ledger; ApplicationError if the ledger refuses it."""
        return services.points_adjust(
            user=user,
            amount=self.cleaned_data["amount"],
            description=self.cleaned_data["description"] or services.RECHARGE_DESCRIPTION,
            reference_id=self.cleaned_data["reference_id"] or None,
            recorded_by=staff,
            correction=self.cleaned_data["kind"] == CORRECTION,
        )
