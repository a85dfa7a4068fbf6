"""Production settings plus the ceiling's routes (bench/urls.py); nothing else differs."""

from csa.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
