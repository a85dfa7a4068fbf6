"""csa.api.throttling.client_ip: the socket address unless trusted proxies say otherwise."""

import pytest
from django.test import RequestFactory

from csa.api.throttling import client_ip


def request(rf: RequestFactory, forwarded: str | None = None, remote: str = "10.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/api/", **extra)


@pytest.mark.parametrize("forwarded", [None, "203.0.113.7", "1.1.1.1, 203.0.113.7", ""])
def test_without_trusted_proxies_the_socket_address_counts(rf, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request(rf, forwarded)) == "10.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("1.1.1.1, 203.0.113.7", "203.0.113.7"),
        ("1.1.1.1,2.2.2.2 ,  203.0.113.7 ", "203.0.113.7"),
    ],
)
def test_behind_one_proxy_the_last_hop_is_the_client(rf, settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request(rf, forwarded)) == expected


def test_behind_two_proxies_the_second_hop_from_the_right_is_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request(rf, "6.6.6.6, 203.0.113.7, 10.0.0.2")) == "203.0.113.7"


@pytest.mark.parametrize("forwarded", [None, "", " , ,"])
def test_behind_a_proxy_without_forwarded_hops_the_socket_counts(rf, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request(rf, forwarded)) == "10.0.0.1"
