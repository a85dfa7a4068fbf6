from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's second recommended profile: 19 MiB, 2 passes, 1 lane.

    Django's defaults (100 MiB, 8 lanes) cost ~265 ms of CPU per login on our 2-core machines,
    which turns the login route into the easiest way to exhaust the server. 19 MiB / t=2 / p=1 is
    OWASP's floor for Argon2id and costs ~31 ms here (docs/api.md, "Passwords").
    Hashes made with other parameters are upgraded at the next successful login.
    """

    @property
    def memory_cost(self) -> int:
        return settings.ARGON2_MEMORY_COST_KIB

    @property
    def time_cost(self) -> int:
        return settings.ARGON2_TIME_COST

    @property
    def parallelism(self) -> int:
        return settings.ARGON2_PARALLELISM
