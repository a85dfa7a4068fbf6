"""The upstream rewriting vendors behind one interface, and which one serves a service."""

import logging
import threading

from django.conf import settings

from rewriting.providers.base import (
    Provider,
    ProviderError,
    ProviderRefused,
    ProviderUnavailable,
    TaskState,
)
from rewriting.providers.cheeyuan import CheeyuanConfig, CheeyuanProvider
from rewriting.providers.reduceai import ReduceAIConfig, ReduceAIProvider
from rewriting.providers.sandbox import SandboxProvider

__all__ = [
    "NOT_CONFIGURED",
    "Provider",
    "ProviderError",
    "ProviderRefused",
    "ProviderUnavailable",
    "TaskState",
    "provider_for",
]

logger = logging.getLogger(__name__)

NOT_CONFIGURED = "改写服务暂未配置，请稍后再试"

VENDORS = {
    ReduceAIProvider.name: (ReduceAIProvider, ReduceAIConfig),
    CheeyuanProvider.name: (CheeyuanProvider, CheeyuanConfig),
}


def provider_for(service: str) -> Provider:
    """The client of `service` ("reduceai" | "cheeyuan"): the real vendor when its settings are
    complete, else the sandbox with DEBUG on, else ProviderUnavailable(NOT_CONFIGURED)."""
    provider_class, config_class = VENDORS[service]
    missing = [name for name in provider_class.required_settings if not getattr(settings, name, "")]
    if not missing:
        return _vendor_client(provider_class, config_class.from_settings())
    if len(missing) < len(provider_class.required_settings):
        logger.warning("%s is configured only in part; missing %s", service, ", ".join(missing))
    if settings.DEBUG:
        return SandboxProvider(seconds_to_finish=settings.REWRITING_SANDBOX_SECONDS)
    logger.error("%s is not configured; missing %s", service, ", ".join(missing))
    raise ProviderUnavailable(NOT_CONFIGURED)


_clients = threading.local()


def _vendor_client(provider_class: type, config: object) -> Provider:
    """One client, and so one requests session, per thread and configuration: the app serves
    with threads, and a requests session is not meant to be shared between them."""
    clients = _clients.__dict__.setdefault("by_config", {})
    key = (provider_class, config)
    if key not in clients:
        clients[key] = provider_class(config)
    return clients[key]
