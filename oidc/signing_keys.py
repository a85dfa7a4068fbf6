"""The RSA keys that sign ID tokens, read by csa/settings.py: nothing here may read settings."""

import os
from pathlib import Path

import environ
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_KEY_NAME = "oidc-development-key.pem"


def signing_key_pem(env: environ.Env, *, development_dir: Path | None) -> str:
    """OIDC_RSA_PRIVATE_KEY, or the file OIDC_RSA_PRIVATE_KEY_FILE names; without either, the
    development key under `development_dir` (made once), or a refusal when there is none."""
    pem = env.str("OIDC_RSA_PRIVATE_KEY", multiline=True, default="")
    path = env.str("OIDC_RSA_PRIVATE_KEY_FILE", default="")
    if pem or path:
        return pem or Path(path).read_text()
    if development_dir is None:
        raise ImproperlyConfigured(
            "OIDC_RSA_PRIVATE_KEY or OIDC_RSA_PRIVATE_KEY_FILE must be set when DEBUG is off"
        )
    return development_key_pem(development_dir / DEVELOPMENT_KEY_NAME)


def inactive_signing_key_pems(env: environ.Env) -> list[str]:
    """Keys rotated out: they sign nothing, but stay published for the tokens they signed."""
    paths = env.list("OIDC_RSA_PRIVATE_KEYS_INACTIVE_FILES", default=[])
    return [Path(path).read_text() for path in paths]


def development_key_pem(path: Path) -> str:
    """The key at `path`, made first if missing. Processes starting at once (test workers, the
    dev server and its worker) each write a whole key beside it and link it into place: the first
    link wins, and everyone reads the winner."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_bytes(new_private_key_pem())
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text()


def new_private_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
