"""Settings, read from the environment (the table in docs/operations.md).

Every variable has a development default so that `make run` works on a fresh clone; with
DEBUG off the ones that protect production (SECRET_KEY, ALLOWED_HOSTS) must be given.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from botocore.config import Config
from celery.schedules import crontab
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured

from oidc.signing_keys import inactive_signing_key_pems, signing_key_pem

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# The embedded default's data: SQLite, files, the worker's queue, make run's log.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} must be set when DEBUG is off")
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "csa",
    "accounts",
    "tickets",
    "contracts",
    "projects",
    "contact",
    "points",
    "rewriting",
    "payments",
    "uploads",
    "oauth2_provider",
    "oidc",
]

MIDDLEWARE = [
    "csa.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Production only (settings below, "HTTPS"): development stays as it is.
    *([] if DEBUG else ["csp.middleware.CSPMiddleware"]),
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out form login into its page; axes wants to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "csa.urls"
WSGI_APPLICATION = "csa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------------------

if "DATABASE_URL" not in env.ENVIRON:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The dev server and its worker write to one file: wait for the other's write instead of
    # failing, and take the write lock when a transaction begins, not halfway through it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", env("CACHE_KEY_PREFIX", default="csa"))
# The sandbox vendor's tasks, which the dev server and its worker must both see: the shared cache
# where there is one, else files under var/.
CACHES["sandbox"] = (
    CACHES["default"]
    if not CACHES["default"]["BACKEND"].endswith("LocMemCache")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "sandbox-tasks"),
    }
)
# An unreachable Redis must cost a request a second at most, never a hung worker.
_CACHE_TIMEOUT = env.float("CACHE_TIMEOUT_SECONDS", default=1.0)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", _CACHE_TIMEOUT)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", _CACHE_TIMEOUT)

# --- identity ---------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked account or address first
    "accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id parameters; see accounts/hashers.py for why these numbers.
ARGON2_MEMORY_COST_KIB = env.int("ARGON2_MEMORY_COST_KIB", default=19 * 1024)
ARGON2_TIME_COST = env.int("ARGON2_TIME_COST", default=2)
ARGON2_PARALLELISM = env.int("ARGON2_PARALLELISM", default=1)

# An account whose unproven address goes to the person who proves it keeps one of these instead:
# `<uuid>@<domain>`, a domain that is never anyone's (RFC 2606 reserves .invalid).
PLACEHOLDER_EMAIL_DOMAIN = env("PLACEHOLDER_EMAIL_DOMAIN", default="placeholder.invalid")

ACCESS_TOKEN_LIFETIME = timedelta(minutes=30)
REFRESH_TOKEN_LIFETIME = timedelta(days=env.int("REFRESH_TOKEN_DAYS", default=7))
# A refresh token used again this soon after its refresh (two tabs at once) answers the same new
# session; used again later, it ends its login's whole chain of sessions.
REFRESH_TOKEN_REUSE_GRACE = timedelta(
    seconds=env.int("REFRESH_TOKEN_REUSE_GRACE_SECONDS", default=5)
)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": REFRESH_TOKEN_LIFETIME,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "uuid",
    "USER_ID_CLAIM": "sub",
    "UPDATE_LAST_LOGIN": False,
}

# Verification codes: e-mail (the portal) and SMS (both products).
VERIFICATION_EMAIL_TTL = timedelta(minutes=10)
VERIFICATION_SMS_TTL = timedelta(minutes=5)
# The portal's SMS codes (v2.1) live as long as its e-mail codes.
VERIFICATION_PORTAL_SMS_TTL = timedelta(minutes=10)
VERIFICATION_MAX_ATTEMPTS = 5
VERIFICATION_RESEND_COOLDOWN_SECONDS = 60
VERIFICATION_HOURLY_CAP_PER_ADDRESS = env.int("VERIFICATION_HOURLY_CAP_PER_ADDRESS", default=5)
VERIFICATION_HOURLY_CAP_PER_IP = env.int("VERIFICATION_HOURLY_CAP_PER_IP", default=20)

# Failed sign-ins before an account, or a client address, is locked for 15 minutes: every way in
# counts together (accounts/lockout.py), kept by django-axes in the database.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_LIMIT_PER_IP = env.int("LOGIN_FAILURE_LIMIT_PER_IP", default=30)
AXES_HANDLER = "accounts.lockout.LoginFailureHandler"
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Tries while locked are refused without counting, so a lock ends 15 minutes after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the forms' field, and what authenticate() is given
AXES_USERNAME_CALLABLE = "accounts.lockout.account_name"
AXES_CLIENT_IP_CALLABLE = "csa.api.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Sessions are recorded as LoginSession rows; the console lists failures in Chinese itself.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

# How many reverse proxies in front of the app append to X-Forwarded-For; 0 trusts none and
# takes the socket's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Passkeys (WebAuthn): the relying party's id is the site's domain (a passkey made for it signs
# in to it and its subdomains only), and the origins are the pages that may run a ceremony.
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", default="localhost")
WEBAUTHN_RP_NAME = env("WEBAUTHN_RP_NAME", default="云梦镜像")
WEBAUTHN_ORIGINS = env.list(
    "WEBAUTHN_ORIGINS", default=["http://localhost:8000", "http://127.0.0.1:8000"]
)

# --- OpenID Connect provider (oidc) --------------------------------------------------------
# ID tokens are signed with OIDC_RSA_PRIVATE_KEY (PEM, or a file: OIDC_RSA_PRIVATE_KEY_FILE); after
# a rotation the previous keys (OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES, comma-separated paths) stay
# in the JWKS until the tokens they signed have expired. Development makes a key under var/.

OIDC_ISSUER = env("OIDC_ISSUER", default="http://127.0.0.1:8000")
OAUTH2_PROVIDER_APPLICATION_MODEL = "oidc.Client"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": OIDC_ISSUER,
    "OIDC_RSA_PRIVATE_KEY": signing_key_pem(env, development_dir=VAR_DIR if DEBUG else None),
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": inactive_signing_key_pems(env),
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only
    # http for loopback clients only: the clients API refuses it for any other host.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("OAUTH_REFRESH_TOKEN_DAYS", default=30) * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "SCOPES": {
        "openid": "确认你的身份（账户编号）",
        "profile": "读取你的姓名",
        "email": "读取你的邮箱地址",
    },
    "SCOPES_BACKEND_CLASS": "oidc.validators.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "oidc.validators.PortalOAuth2Validator",
}

# --- delivery ---------------------------------------------------------------------------

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
# Development prints e-mails, codes included; where this is off (production's default) the console
# backend refuses to send, so that no code ever reaches a production log.
EMAIL_CONSOLE_ALLOWED = env.bool("EMAIL_CONSOLE_ALLOWED", default=DEBUG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    EMAIL_CONFIG["EMAIL_BACKEND"] = "csa.mail.ConsoleEmailBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="云梦镜像 <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
ADMINS = [("Staff", address) for address in env.list("ADMINS", default=[])]

# SMS verification codes: the console backend prints them to the server log (development);
# accounts.sms.TencentSmsBackend sends them through Tencent Cloud SMS.
SMS_BACKEND = env("SMS_BACKEND", default="accounts.sms.ConsoleSmsBackend")
SMS_CONSOLE_ALLOWED = env.bool("SMS_CONSOLE_ALLOWED", default=DEBUG)
TENCENT_SMS_SECRET_ID = env("TENCENT_SMS_SECRET_ID", default="")
TENCENT_SMS_SECRET_KEY = env("TENCENT_SMS_SECRET_KEY", default="")
TENCENT_SMS_SDK_APP_ID = env("TENCENT_SMS_SDK_APP_ID", default="")
TENCENT_SMS_SIGN_NAME = env("TENCENT_SMS_SIGN_NAME", default="")
TENCENT_SMS_TEMPLATE_ID = env("TENCENT_SMS_TEMPLATE_ID", default="")
TENCENT_SMS_REGION = env("TENCENT_SMS_REGION", default="ap-guangzhou")
TENCENT_SMS_ENDPOINT = env("TENCENT_SMS_ENDPOINT", default="https://sms.tencentcloudapi.com")
TENCENT_SMS_TIMEOUT_SECONDS = env.float("TENCENT_SMS_TIMEOUT_SECONDS", default=5.0)

# --- files ------------------------------------------------------------------------------

MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATIC_URL = "/static/"
# Object storage for project files (S3 API: AWS S3, Cloudflare R2, Aliyun OSS, MinIO); without a
# bucket, files stay on the local disk and the app serves signed download links itself.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
# Aliyun OSS accepts only virtual-hosted addressing; MinIO usually wants "path".
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default=None)
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_DEFAULT_ACL = None  # objects inherit the bucket's private policy
AWS_QUERYSTRING_AUTH = True
# A custom domain would make django-storages hand out unsigned URLs; presigned URLs need none.
AWS_S3_CUSTOM_DOMAIN = None
# Given whole, this replaces django-storages' own client config, hence the addressing style and
# signature version again. An unreachable object store must fail a request within seconds.
_s3_timeout = env.float("AWS_S3_TIMEOUT_SECONDS", default=3.0)
AWS_S3_CLIENT_CONFIG = Config(
    s3={"addressing_style": AWS_S3_ADDRESSING_STYLE},
    signature_version=AWS_S3_SIGNATURE_VERSION,
    connect_timeout=_s3_timeout,
    read_timeout=_s3_timeout,
    retries={"max_attempts": 2, "mode": "standard"},
)
FILE_DOWNLOAD_URL_EXPIRES_SECONDS = 3600
# The largest file a customer may upload (POST /api/upload). Django writes an upload past 2.5 MB
# (FILE_UPLOAD_MAX_MEMORY_SIZE) to a temporary file and counts only form fields against
# DATA_UPLOAD_MAX_MEMORY_SIZE, so neither needs raising; a proxy in front must allow the body.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=100 * 1024 * 1024)

# Support tickets as conversations.
TICKET_ATTACHMENTS_PER_MESSAGE = env.int("TICKET_ATTACHMENTS_PER_MESSAGE", default=5)
TICKET_ATTACHMENT_MAX_BYTES = env.int("TICKET_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Hours staff have for a ticket's first answer, per ticket type.
TICKET_FIRST_RESPONSE_HOURS = {
    ticket_type: env.int(f"TICKET_FIRST_RESPONSE_HOURS_{ticket_type.upper()}", default=24)
    for ticket_type in ("financial", "technical", "business")
}
# Who is e-mailed when a ticket arrives or its customer writes, besides the staff subscribed to
# its type (in the console) and its assignee.
TICKET_ALERT_EMAILS = env.list("TICKET_ALERT_EMAILS", default=[])
AWS_QUERYSTRING_EXPIRE = FILE_DOWNLOAD_URL_EXPIRES_SECONDS
STORAGES = {
    "default": {
        "BACKEND": (
            "storages.backends.s3.S3Storage"
            if AWS_STORAGE_BUCKET_NAME
            else "django.core.files.storage.FileSystemStorage"
        )
    },
    # Served by the app itself (WhiteNoise); in production from `collectstatic`'s hashed,
    # compressed copies, cached for a year.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- upstream services ------------------------------------------------------------------

REDUCEAI_API_URL = env("REDUCEAI_API_URL", default="")
REDUCEAI_AUTH_URL = env("REDUCEAI_AUTH_URL", default=REDUCEAI_API_URL)
REDUCEAI_LOGIN_USERNAME = env("REDUCEAI_LOGIN_USERNAME", default="")
REDUCEAI_LOGIN_PASSWORD = env("REDUCEAI_LOGIN_PASSWORD", default="")
# The vendor's note says POST, the reference implementation uses GET.
REDUCEAI_RESULT_METHOD = env("REDUCEAI_RESULT_METHOD", default="GET")
CHEEYUAN_API_URL = env("CHEEYUAN_API_URL", default="")
CHEEYUAN_LOGIN_ACCOUNT = env("CHEEYUAN_LOGIN_ACCOUNT", default="")
CHEEYUAN_LOGIN_PASSWORD = env("CHEEYUAN_LOGIN_PASSWORD", default="")
# A submit waits for the vendor inside the customer's request: short enough for a request.
REWRITING_UPSTREAM_CONNECT_TIMEOUT_SECONDS = env.float(
    "REWRITING_UPSTREAM_CONNECT_TIMEOUT_SECONDS", default=3.0
)
REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS = env.float(
    "REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS", default=10.0
)
# Without vendor settings and with DEBUG on, a sandbox vendor finishes tasks after this long.
REWRITING_SANDBOX_SECONDS = env.float("REWRITING_SANDBOX_SECONDS", default=6.0)
# Cloudflare's documented test secrets: siteverify always passes, always fails, or says the token
# was already spent. They serve development and tests; production refuses them unless its
# operator says TURNSTILE_TEST_MODE, so a forgotten secret never lets every form through.
TURNSTILE_TEST_SECRETS = (
    "1x0000000000000000000000000000000AA",
    "2x0000000000000000000000000000000AA",
    "3x0000000000000000000000000000000AA",
)
TURNSTILE_TEST_MODE = env.bool("TURNSTILE_TEST_MODE", default=DEBUG)
TURNSTILE_SECRET_KEY = env(
    "TURNSTILE_SECRET_KEY", default=TURNSTILE_TEST_SECRETS[0] if TURNSTILE_TEST_MODE else ""
)
if not TURNSTILE_TEST_MODE and TURNSTILE_SECRET_KEY in ("", *TURNSTILE_TEST_SECRETS):
    raise ImproperlyConfigured(
        "TURNSTILE_SECRET_KEY must be the site's real secret when DEBUG is off "
        "(or set TURNSTILE_TEST_MODE=true to use Cloudflare's test secrets)"
    )
# Cloudflare's test secrets are answered by the app itself (contact/turnstile.py) while this is
# Cloudflare's own URL, so the embedded default works offline.
TURNSTILE_VERIFY_URL = env(
    "TURNSTILE_VERIFY_URL", default="https://challenges.cloudflare.com/turnstile/v0/siteverify"
)
TURNSTILE_TIMEOUT_SECONDS = env.float("TURNSTILE_TIMEOUT_SECONDS", default=5.0)
POINTS_COST_PER_1000_CHARS = Decimal(env("POINTS_COST_PER_1000_CHARS", default="3"))
# Points a sign-up with a valid invite code starts with (0: none).
INVITE_REWARD_POINTS = Decimal(env("INVITE_REWARD_POINTS", default="1"))

# Whole theses (.docx): the largest upload, the most its parts may unpack to, and the headings
# after which nothing is rewritten (compared without spaces, whatever their case).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
DOCUMENT_MAX_UNPACKED_BYTES = env.int("DOCUMENT_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
DOCUMENT_BODY_END_HEADINGS = env.list(
    "DOCUMENT_BODY_END_HEADINGS",
    default=["参考文献", "参考资料", "References", "Bibliography", "Works Cited"],
)
# How many of one document's pieces a vendor has at once, and how many of all documents' pieces
# one vendor has at once (tasks from /ai/reduce-task are not counted: each is a customer waiting).
DOCUMENT_PIECES_IN_FLIGHT = env.int("DOCUMENT_PIECES_IN_FLIGHT", default=4)
DOCUMENT_VENDOR_PIECES_IN_FLIGHT = env.int("DOCUMENT_VENDOR_PIECES_IN_FLIGHT", default=40)
# A piece the vendor refused, could not take, failed or did not finish within its time-out is
# sent again after DOCUMENT_PIECE_RETRY_SECONDS, doubling each time, up to this many sends.
DOCUMENT_PIECE_ATTEMPTS = env.int("DOCUMENT_PIECE_ATTEMPTS", default=3)
DOCUMENT_PIECE_RETRY_SECONDS = env.float("DOCUMENT_PIECE_RETRY_SECONDS", default=30.0)
DOCUMENT_PIECE_TIMEOUT_MINUTES = env.float("DOCUMENT_PIECE_TIMEOUT_MINUTES", default=60.0)
# /rewrite/rewrite_paragraph waits this long for the vendor before it answers that the task goes
# on (fetch it with /ai/result); at most this many such waits at once in one app process, so
# waiting customers never take all its threads (gthread, THREADS in the Makefile).
REWRITING_PARAGRAPH_WAIT_SECONDS = env.float("REWRITING_PARAGRAPH_WAIT_SECONDS", default=20.0)
REWRITING_PARAGRAPH_WAITERS = env.int("REWRITING_PARAGRAPH_WAITERS", default=4)

# --- online recharge (payments) -------------------------------------------------------------
# A gateway is offered once all its settings are set; else its routes answer 支付配置缺失.
# Keys are PEM text (or the bare base64 the gateways' consoles show), or a file: `<NAME>_FILE`.

# Where the gateways reach us: `{base}/alipay/notify`, `{base}/wechatpay/notify`, and the
# browser's way back, `{base}/alipay/return`.
PAYMENTS_PUBLIC_BASE_URL = env("PAYMENTS_PUBLIC_BASE_URL", default="")
PAYMENTS_ORDER_TIMEOUT_MINUTES = env.int("PAYMENTS_ORDER_TIMEOUT_MINUTES", default=30)
# A pending order no notification settled is asked about this long after it was made, then again
# at this interval, until it is paid or closed at the gateway after its time-out.
PAYMENTS_QUERY_AFTER_SECONDS = env.int("PAYMENTS_QUERY_AFTER_SECONDS", default=180)
PAYMENTS_MAX_ORDER_YUAN = env.int("PAYMENTS_MAX_ORDER_YUAN", default=50000)
PAYMENTS_GATEWAY_CONNECT_TIMEOUT_SECONDS = env.float(
    "PAYMENTS_GATEWAY_CONNECT_TIMEOUT_SECONDS", default=3.0
)
PAYMENTS_GATEWAY_READ_TIMEOUT_SECONDS = env.float(
    "PAYMENTS_GATEWAY_READ_TIMEOUT_SECONDS", default=10.0
)
ALIPAY_APP_ID = env("ALIPAY_APP_ID", default="")
ALIPAY_APP_PRIVATE_KEY = env("ALIPAY_APP_PRIVATE_KEY", default="")
ALIPAY_APP_PRIVATE_KEY_FILE = env("ALIPAY_APP_PRIVATE_KEY_FILE", default="")
ALIPAY_PUBLIC_KEY = env("ALIPAY_PUBLIC_KEY", default="")  # Alipay's key, not the app's
ALIPAY_PUBLIC_KEY_FILE = env("ALIPAY_PUBLIC_KEY_FILE", default="")
ALIPAY_SELLER_ID = env("ALIPAY_SELLER_ID", default="")  # 2088…: notifications must name it
ALIPAY_SANDBOX = env.bool("ALIPAY_SANDBOX", default=False)
ALIPAY_GATEWAY_URL = env(
    "ALIPAY_GATEWAY_URL",
    default=(
        "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
        if ALIPAY_SANDBOX
        else "https://openapi.alipay.com/gateway.do"
    ),
)
WECHATPAY_MCH_ID = env("WECHATPAY_MCH_ID", default="")
WECHATPAY_APP_ID = env("WECHATPAY_APP_ID", default="")
WECHATPAY_PRIVATE_KEY = env("WECHATPAY_PRIVATE_KEY", default="")  # the merchant's API key
WECHATPAY_PRIVATE_KEY_FILE = env("WECHATPAY_PRIVATE_KEY_FILE", default="")
WECHATPAY_CERT_SERIAL_NO = env("WECHATPAY_CERT_SERIAL_NO", default="")
WECHATPAY_API_V3_KEY = env("WECHATPAY_API_V3_KEY", default="")
WECHATPAY_API_V3_KEY_FILE = env("WECHATPAY_API_V3_KEY_FILE", default="")
WECHATPAY_PUBLIC_KEY = env("WECHATPAY_PUBLIC_KEY", default="")  # WeChat Pay's, with its id
WECHATPAY_PUBLIC_KEY_FILE = env("WECHATPAY_PUBLIC_KEY_FILE", default="")
WECHATPAY_PUBLIC_KEY_ID = env("WECHATPAY_PUBLIC_KEY_ID", default="")
WECHATPAY_API_URL = env("WECHATPAY_API_URL", default="https://api.mch.weixin.qq.com")

# --- background work (csa/celery.py) -------------------------------------------------------
# Redis in production (CELERY_BROKER_URL, like CACHE_URL); without it, the queue is a folder under
# var/, which the worker `make run` starts beside the dev server shares.

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost/" if DEBUG else "")
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be set when DEBUG is off (redis://…)")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_queue_dir / "control"),  # else `control/` in the working folder
    }
else:
    # An unreachable broker must fail a request fast, as an unreachable cache does.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": _CACHE_TIMEOUT,
        "socket_timeout": _CACHE_TIMEOUT,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = _CACHE_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2}
# Staff see in the console the periodic jobs with their last runs (django-celery-beat keeps the
# schedule in the database) and every job that failed, with its error (csa.jobs). No result
# backend: a job's outcome is nobody's to wait for, and one stored in the database would take
# the worker down whenever the database is (the very moment some jobs exist for).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SYNC_EVERY = 1  # each run's time is in the console at once
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = None  # no results, so no daily clean-up of them to schedule
# A job is taken off the queue once done, not once received: a worker that dies mid-job leaves it
# for another (jobs are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "跟进处理中的改写任务": {
        "task": "rewriting.tasks.poll_rewriting_tasks",
        "schedule": 3.0,  # the vendors' polling interval (rewriting.services.POLL_INTERVAL)
    },
    "推进文档改写": {
        "task": "rewriting.tasks.advance_rewriting_documents",
        "schedule": 3.0,  # the vendors' polling interval, as for tasks
    },
    "结算中断的改写任务提交": {
        "task": "rewriting.tasks.settle_interrupted_submissions",
        "schedule": env.float("REWRITING_SETTLE_INTERVAL_SECONDS", default=30.0),
    },
    "核对未完成的充值订单": {
        "task": "payments.tasks.reconcile_pending_orders",
        "schedule": 60.0,
    },
    "清理过期的登录记录": {
        "task": "accounts.tasks.clear_expired_sign_ins",
        "schedule": crontab(hour=3, minute=30),
    },
    "清理旧的后台任务失败记录": {
        "task": "csa.tasks.clear_old_job_failures",
        "schedule": crontab(hour=3, minute=45),
    },
}

# --- API --------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # `Bearer sk-…` only, and the portal's routes only (csa.envelope.views leaves it out).
        "accounts.authentication.ApplicationKeyAuthentication",
        "accounts.authentication.SessionTokenAuthentication",
        # Lets staff signed in to /admin/ (and only staff) use the browsable API.
        "accounts.authentication.StaffSessionAuthentication",
    ],
    # The portal's routes; the rewriting API's (csa.envelope.views) ask for a sign-in only.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.ProvenEmail",
        "accounts.permissions.ApplicationKeyScope",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "csa.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {
        "public": env("THROTTLE_PUBLIC", default="120/min"),
        "login": env("THROTTLE_LOGIN", default="10/min"),
        "send_code": env("THROTTLE_SEND_CODE", default="10/min"),
        "register": env("THROTTLE_REGISTER", default="10/min"),
        "contact": env("THROTTLE_CONTACT", default="10/hour"),
        # A signed-in customer's changes to how they sign in: phone, application keys.
        "account": env("THROTTLE_ACCOUNT", default="20/min"),
        "key_validate": env("THROTTLE_KEY_VALIDATE", default="30/min"),
        "upload": env("THROTTLE_UPLOAD", default="30/min"),
        "ticket_message": env("THROTTLE_TICKET_MESSAGE", default="30/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "csa.api.exceptions.portal_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "VIEW_NAME_FUNCTION": "csa.api.view_names.view_name",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "云梦镜像开放平台 API",
    "DESCRIPTION": (
        "客户服务门户 (/api/) 与论文降重服务 (/otp, /user, /ai, /points, /alipay, /wechatpay)。"
    ),
    "VERSION": "2.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The portal's routes are tagged by their module (/api/<module>/…), the rewriting service's by
    # their first path segment.
    "SCHEMA_PATH_PREFIX": r"/api/",
    "TAGS": [
        {"name": "auth", "description": "门户：注册、登录、验证码"},
        {"name": "users", "description": "门户：个人资料与密码"},
        {"name": "tickets", "description": "门户：工单"},
        {"name": "business-accounts", "description": "门户：企业账户"},
        {"name": "application-key", "description": "门户：应用密钥（创建、轮换、启停、校验）"},
        {"name": "oauth", "description": "门户：OAuth 客户端登记与已授权的应用（OpenID Connect）"},
        {"name": "passkey", "description": "门户：通行密钥（WebAuthn）登录"},
        {"name": "contracts", "description": "门户：合同"},
        {"name": "projects", "description": "门户：项目、文件、链接与任务"},
        {"name": "uploads", "description": "门户：文件上传与下载链接"},
        {"name": "owa", "description": "门户：联系表单（Turnstile 人机验证）"},
        {"name": "health", "description": "健康检查"},
        {"name": "otp", "description": "降重服务：短信验证码"},
        {"name": "user", "description": "降重服务：账户、角色、费率与积分调整"},
        {"name": "ai", "description": "降重服务：改写任务"},
        {"name": "rewrite", "description": "降重服务：整篇文档与段落改写"},
        {"name": "rewriting", "description": "降重服务：任务文本快照（签名链接）"},
        {"name": "points", "description": "降重服务：积分、交易、充值订单"},
        {"name": "alipay", "description": "降重服务：支付宝充值"},
        {"name": "wechatpay", "description": "降重服务：微信支付充值"},
    ],
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "RewriteTypeEnum": "rewriting.serializers.REWRITE_TYPE_CHOICES",
    },
}

# --- locale, logging --------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "csa.request_log.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "csa.request_log.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain" if DEBUG else "json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # One line per request in production; runserver prints its own in development.
    "loggers": {
        "csa.request": {"level": env("REQUEST_LOG_LEVEL", default="WARNING" if DEBUG else "INFO")},
        # Failures and lockouts are warnings; its INFO lines narrate every step.
        "axes": {"level": "WARNING"},
        # Each job's start and end, in production; development hears of failures only.
        "celery": {"level": env("CELERY_LOG_LEVEL", default="WARNING" if DEBUG else "INFO")},
    },
}

# --- browsers on other origins ------------------------------------------------------------
# The rewriting service's browser client runs on its own origin and sends credentials.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (*default_cors_headers, "refresh_token", "refresh-token", "x-request-id")
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]

# --- HTTPS ----------------------------------------------------------------------------------
# Production is served over HTTPS only: plain HTTP is redirected (except the health check a load
# balancer may make over HTTP) and browsers are told to remember it. Behind proxies
# (TRUSTED_PROXY_COUNT > 0) the scheme the client used is the one the proxy names in
# X-Forwarded-Proto; without them, the socket's. Development stays plain HTTP.

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)

# The console, the browsable API and the API docs load scripts, styles and images from this
# origin only. Styles may be inline: DRF's templates style elements in place.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
