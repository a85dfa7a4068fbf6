from django.contrib.auth.backends import ModelBackend

from accounts.lockout import account_named
from accounts.models import User
from accounts.phones import E164_PHONE


class AccountBackend(ModelBackend):
    """Passwords, for every form and route: an account is named by its e-mail or username.

    A disabled account still proves its password here, so that the caller can answer "disabled"
    rather than "wrong password" (the forms refuse it themselves); sessions of a disabled account
    are not loaded (ModelBackend.get_user). The lockout runs before this, in axes' backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        # A login phone names an account only with an SMS code, never with a password.
        user = None if E164_PHONE.fullmatch(username.strip()) else account_named(request, username)
        if user is None:
            User().set_password(password)  # the same work as a real check: timing tells nothing
            return None
        return user if user.check_password(password) else None
