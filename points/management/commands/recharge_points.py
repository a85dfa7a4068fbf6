from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import User
from csa.errors import ApplicationError
from points.services import RECHARGE_DESCRIPTION, points_recharge


class Command(BaseCommand):
    help = "Recharge a user's points: recharge_points <e-mail|username> <amount>"

    def add_arguments(self, parser) -> None:
        parser.add_argument("user", help="the user's e-mail or username")
        parser.add_argument("amount", help="points to add, at most three decimal places")
        parser.add_argument("--description", default=RECHARGE_DESCRIPTION)
        parser.add_argument("--reference", default=None, help="reference id, an order number say")

    def handle(self, *args, user: str, amount: str, description: str, reference, **options):
        target = User.objects.filter(Q(email__iexact=user) | Q(username__iexact=user)).first()
        if target is None:
            raise CommandError(f"No user with e-mail or username {user!r}")
        try:
            points = Decimal(amount)
            exact = points == points.quantize(Decimal("0.001"))
        except InvalidOperation:
            exact = False
        if not exact:
            raise CommandError(f"Not a number of at most three decimal places: {amount!r}")
        try:
            recharge = points_recharge(
                user=target, amount=points, description=description, reference_id=reference
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"Recharged {recharge.amount} points to {target.email}; "
            f"balance {recharge.balance_after} (transaction {recharge.pk})"
        )
