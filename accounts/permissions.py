from rest_framework.permissions import BasePermission

from accounts.services.users import EMAIL_UNPROVEN


class ProvenEmail(BasePermission):
    """The portal is for accounts whose e-mail address a code has proven: a rewriting sign-up,
    which proves none, reaches the portal's routes only once its owner proves the address."""

    message = EMAIL_UNPROVEN

    def has_permission(self, request, view) -> bool:
        user = request.user
        return not user.is_authenticated or user.email_verified
