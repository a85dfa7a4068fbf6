"""The portal's passkey routes (/api/passkey/…)."""
