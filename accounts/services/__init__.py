# ruff: noqa: F401  (this package re-exports its modules' service functions)
"""Every state change of the accounts app; views, admin and commands call these."""

from accounts.services import rewriting
from accounts.services.business_accounts import (
    ACTIVATION_NEEDS_ASSIGNMENT,
    ACTIVE_KEEPS_ASSIGNMENT,
    ASSIGNMENT_FIELDS,
    BUSINESS_ACCOUNT_EXISTS,
    CUSTOMER_FIELDS,
    STAFF_FIELDS,
    STATUS_MOVES,
    USER_CODE_TAKEN,
    business_account_apply,
    business_account_staff_update,
    business_account_status_after,
    business_account_status_set,
    business_account_update,
)
from accounts.services.users import (
    LAST_ADMIN,
    NOTHING_TO_UPDATE,
    PROFILE_FIELDS,
    REGISTER_PURPOSE,
    InvalidCredentialsError,
    IssuedLogin,
    SamePasswordError,
    WrongPasswordError,
    login_session_end,
    login_session_start,
    refresh_token_hash,
    registration_code_send,
    user_active_set,
    user_agent_of,
    user_authenticate,
    user_create,
    user_login_with_email,
    user_password_change,
    user_profile_update,
    user_register_with_email,
    user_role_change,
    user_sessions_revoke,
    user_update_by_staff,
)
