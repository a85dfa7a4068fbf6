"""Which client serves a service: the vendor if configured, else the sandbox in DEBUG, else 503."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rewriting.providers import NOT_CONFIGURED, ProviderUnavailable, provider_for
from rewriting.providers.cheeyuan import CheeyuanProvider
from rewriting.providers.reduceai import ReduceAIProvider
from rewriting.providers.sandbox import SandboxProvider

REQUIRED = {
    "reduceai": ["REDUCEAI_API_URL", "REDUCEAI_LOGIN_USERNAME", "REDUCEAI_LOGIN_PASSWORD"],
    "cheeyuan": ["CHEEYUAN_API_URL", "CHEEYUAN_LOGIN_ACCOUNT", "CHEEYUAN_LOGIN_PASSWORD"],
}
REQUIRED_SETTINGS = [(service, name) for service, names in REQUIRED.items() for name in names]


@pytest.fixture
def configured(settings) -> None:
    for names in REQUIRED.values():
        for name in names:
            setattr(settings, name, "https://vendor.example" if name.endswith("_URL") else "x")


def test_configured_vendors_get_their_clients(configured):
    assert isinstance(provider_for("reduceai"), ReduceAIProvider)
    assert isinstance(provider_for("cheeyuan"), CheeyuanProvider)


def test_a_process_keeps_one_client_and_so_one_session_per_vendor(configured):
    assert provider_for("reduceai") is provider_for("reduceai")


def test_the_reduceai_login_url_defaults_to_the_api_url(configured, settings):
    settings.REDUCEAI_AUTH_URL = ""
    assert provider_for("reduceai").config.auth_url == "https://vendor.example"

    settings.REDUCEAI_AUTH_URL = "https://auth.vendor.example/"
    assert provider_for("reduceai").config.auth_url == "https://auth.vendor.example"


def test_the_password_stays_out_of_the_clients_repr(configured, settings):
    settings.REDUCEAI_LOGIN_PASSWORD = "hunter2"

    assert "hunter2" not in repr(provider_for("reduceai").config)


def test_a_result_method_other_than_get_or_post_is_a_configuration_error(configured, settings):
    settings.REDUCEAI_RESULT_METHOD = "PUT"

    with pytest.raises(ImproperlyConfigured):
        provider_for("reduceai")


@pytest.mark.parametrize(("service", "missing"), REQUIRED_SETTINGS)
def test_without_debug_a_missing_setting_is_unavailable_with_a_clear_message(
    configured, settings, service, missing
):
    settings.DEBUG = False
    setattr(settings, missing, "")

    with pytest.raises(ProviderUnavailable) as outage:
        provider_for(service)

    assert outage.value.message == NOT_CONFIGURED == "改写服务暂未配置，请稍后再试"
    assert outage.value.task_may_exist is False


@pytest.mark.parametrize(("service", "missing"), REQUIRED_SETTINGS)
def test_with_debug_a_missing_setting_brings_the_sandbox(configured, settings, service, missing):
    settings.DEBUG = True
    setattr(settings, missing, "")

    assert isinstance(provider_for(service), SandboxProvider)


def test_with_debug_a_configured_vendor_is_still_the_real_one(configured, settings):
    settings.DEBUG = True

    assert isinstance(provider_for("cheeyuan"), CheeyuanProvider)
