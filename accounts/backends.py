from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from accounts.selectors import user_by_password_name


class AccountBackend(ModelBackend):
    """Passwords, for every form and route: an account is named by its e-mail or username.

    A disabled account still proves its password here, so that the caller can answer "disabled"
    rather than "wrong password" (the forms refuse it themselves); sessions of a disabled account
    are not loaded (ModelBackend.get_user). The lockout runs before this, in axes' backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = user_by_password_name(username)
        if user is None:
            User().set_password(password)  # the same work as a real check: timing tells nothing
            return None
        return user if user.check_password(password) else None
