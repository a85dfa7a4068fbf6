"""The portal's application-key routes (/api/application-key/…)."""
