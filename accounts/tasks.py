"""The accounts app's background jobs; each is idempotent (csa/celery.py)."""

import logging

from celery import shared_task

from accounts.services.housekeeping import expired_sign_ins_clear

logger = logging.getLogger(__name__)


@shared_task
def clear_expired_sign_ins() -> None:
    """Daily: forget expired sessions, codes and sign-in failures. A run that fails is the
    next day's to do."""
    logger.info("Cleared expired sign-in records: %s", expired_sign_ins_clear())
