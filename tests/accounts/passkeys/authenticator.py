"""A software authenticator: a real P-256 key, real authenticator data, client data and ES256
signatures, and a `none` attestation in CBOR, as a browser and a passkey would make them."""

import base64
import copy
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

USER_PRESENT = 0x01
USER_VERIFIED = 0x04
ATTESTED_DATA = 0x40
COSE_EC2, COSE_ES256, COSE_P256 = 2, -7, 1
ORIGIN = "http://localhost:8000"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class SoftwareAuthenticator:
    """One passkey. `rp_id` and `origin` are what this authenticator and its browser claim;
    `counting` authenticators step their counter at each use, others always say 0."""

    rp_id: str = "localhost"
    origin: str = ORIGIN
    counting: bool = True
    sign_count: int = 0
    key: ec.EllipticCurvePrivateKey = field(default_factory=_private_key)
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    user_handle: bytes = b""

    def clone(self) -> "SoftwareAuthenticator":
        """A copy of the key and counter as they are now, going its own way from here."""
        return copy.copy(self)

    def cose_public_key(self) -> bytes:
        point = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: COSE_EC2,
                3: COSE_ES256,
                -1: COSE_P256,
                -2: point.x.to_bytes(32, "big"),
                -3: point.y.to_bytes(32, "big"),
            }
        )

    def authenticator_data(self, flags: int, attested: bytes = b"") -> bytes:
        rp_id_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_id_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + attested

    def client_data(self, ceremony: str, challenge: str) -> bytes:
        body = {"type": ceremony, "challenge": challenge, "origin": self.origin}
        return json.dumps({**body, "crossOrigin": False}).encode()

    def create(self, options: dict) -> dict:
        """`navigator.credentials.create(options)`, as `PublicKeyCredential.toJSON()`."""
        self.user_handle = b64url_decode(options["user"]["id"])
        attested = (
            bytes(16)  # AAGUID: none to tell
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        flags = USER_PRESENT | USER_VERIFIED | ATTESTED_DATA
        auth_data = self.authenticator_data(flags, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        credential_id = b64url(self.credential_id)
        return {
            "id": credential_id,
            "rawId": credential_id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(self.client_data("webauthn.create", options["challenge"])),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
            "authenticatorAttachment": "platform",
        }

    def get(self, options: dict) -> dict:
        """`navigator.credentials.get(options)`, as the body of POST /api/passkey/authenticate."""
        if self.counting:
            self.sign_count += 1
        auth_data = self.authenticator_data(USER_PRESENT | USER_VERIFIED)
        client_data = self.client_data("webauthn.get", options["challenge"])
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "credential_id": b64url(self.credential_id),
            "authenticator_data": b64url(auth_data),
            "client_data_json": b64url(client_data),
            "signature": b64url(signature),
            "user_handle": b64url(self.user_handle),
        }
