from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApplicationKey, LoginSession
from accounts.services.users import EMAIL_UNPROVEN


class ProvenEmail(BasePermission):
    """The portal is for accounts a code has proven: their e-mail address, or their login
    phone (which is set only by a code texted to it). A rewriting sign-up with neither reaches
    the portal's routes only once its owner proves the address."""

    message = EMAIL_UNPROVEN

    def has_permission(self, request, view) -> bool:
        user = request.user
        return not user.is_authenticated or user.email_verified or bool(user.phone)


class LoginSessionRequired(BasePermission):
    """What changes how an account signs in (its password, phone, application keys) takes a
    real sign-in: a login's token, or staff's console session; never an application key."""

    message = "此操作需要登录，不能使用应用密钥"

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, LoginSession):
            return True
        return request.auth is None and request.user.is_staff


class ApplicationKeyScope(BasePermission):
    """A read-only application key (its owner's choice when making it) may only read."""

    message = "应用密钥为只读，不能执行写操作"

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApplicationKey):
            return True
        return key.can_write or request.method in SAFE_METHODS
