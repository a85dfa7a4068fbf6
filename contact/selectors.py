from django.conf import settings

from accounts.models import Role, User


def staff_notification_recipients() -> list[str]:
    """Who hears of a new contact message: active admin-role users, then settings.ADMINS,
    each address once whatever its case."""
    staff = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("email")
    addresses = [*staff.values_list("email", flat=True), *_settings_admin_addresses()]
    unique: dict[str, str] = {}
    for address in addresses:
        unique.setdefault(address.lower(), address)
    return list(unique.values())


def _settings_admin_addresses() -> list[str]:
    # Django 5 lists (name, address) pairs; Django 6 also accepts bare addresses.
    return [entry if isinstance(entry, str) else entry[1] for entry in settings.ADMINS]
