"""What the real vendors share: one requests session with timeouts, a login token every process
shares through the cache, one fresh login on a 401, and the rule about what may be sent twice."""

import hashlib
import logging
from abc import abstractmethod
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

from csa.cache import cache_best_effort
from rewriting.providers.base import Provider, ProviderRefused, ProviderUnavailable

logger = logging.getLogger(__name__)

TOKEN_TTL_SECONDS = 8 * 60 * 60


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float

    @classmethod
    def from_settings(cls) -> "Timeouts":
        return cls(
            connect=settings.REWRITING_UPSTREAM_CONNECT_TIMEOUT_SECONDS,
            read=settings.REWRITING_UPSTREAM_READ_TIMEOUT_SECONDS,
        )


def vendor_session() -> requests.Session:
    """A session whose adapter retries a connection that could not be made, once, and nothing else:
    until the connection exists nothing has been sent, so even a submit is safe to try again."""
    retry = Retry(total=1, connect=1, read=False, status=0, other=0)
    adapter = HTTPAdapter(max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["Accept"] = "application/json"
    return session


class VendorProvider(Provider):
    """A vendor behind a login: subclasses say how to log in, submit and read a task's state.

    Sending rules, because a submit that reaches the vendor twice is two paid tasks:
    - a submit is sent once; after a read timeout, a dropped connection, a 5xx or an unreadable
      answer it is ProviderUnavailable(task_may_exist=True), never a refusal and never resent;
    - a submit the vendor answered 401 created nothing, so it is resent once after a fresh login;
    - logins and reads of a task's state are asked once more after a dropped connection.
    """

    def __init__(self, *, login_url: str, account: str, timeouts: Timeouts) -> None:
        self._session = vendor_session()
        self._timeouts = (timeouts.connect, timeouts.read)
        # Per vendor and account, so two configurations never share a token; hashed, so the
        # cache holds no account name and the key suits any cache backend.
        account_digest = hashlib.sha256(f"{login_url}\n{account}".encode()).hexdigest()[:32]
        self._token_key = f"rewriting:vendor-token:{self.name}:{account_digest}"

    @abstractmethod
    def _login(self) -> str:
        """Log in to the vendor and return a fresh token."""

    def _token(self, *, refused: str | None = None) -> str:
        """The token every process shares. A new login only when there is none, or when the
        cached one is the token the vendor just `refused` (another process may have replaced it
        already)."""
        token = None
        with cache_best_effort(f"{self.name} login token"):
            token = cache.get(self._token_key)
        if token and token != refused:
            return token
        token = self._login()
        with cache_best_effort(f"{self.name} login token"):
            cache.set(self._token_key, token, TOKEN_TTL_SECONDS)
        return token

    def _authorized(
        self, method: str, url: str, *, json: dict | None = None, submit: bool = False
    ) -> requests.Response:
        """Send with the shared token; on a 401 log in again and send once more."""
        token = self._token()
        response = self._send(method, url, json=json, token=token, submit=submit)
        if response.status_code != 401:
            return response
        logger.info("%s refused its login token; logging in again", self.name)
        response = self._send(
            method, url, json=json, token=self._token(refused=token), submit=submit
        )
        if response.status_code == 401:
            logger.error("%s refused a token it had just issued", self.name)
            raise ProviderUnavailable()
        return response

    def _send(
        self,
        method: str,
        url: str,
        *,
        json: dict | None = None,
        token: str | None = None,
        submit: bool = False,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        retries_left = 0 if submit else 1
        while True:
            try:
                return self._session.request(
                    method,
                    url,
                    json=json,
                    headers=headers,
                    timeout=self._timeouts,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                # Most often an idle kept-alive connection the vendor had closed.
                if retries_left and _dropped(exc):
                    retries_left -= 1
                    continue
                may_exist = submit and not _never_sent(exc)
                log = logger.error if may_exist else logger.warning
                log(
                    "%s %s failed: %s%s",
                    self.name,
                    _path(url),
                    type(exc).__name__,
                    "; the vendor may hold a task we have no id of" if may_exist else "",
                )
                raise ProviderUnavailable(task_may_exist=may_exist) from exc

    def _answer(self, response: requests.Response, *, submit: bool = False) -> dict:
        """The answer's JSON object. A submit's 4xx is the vendor's refusal; anything else that
        is not a 2xx JSON object leaves us not knowing, which on a submit means a task may exist."""
        status = response.status_code
        body = _json_object(response)
        if 200 <= status < 300 and body is not None:
            return body
        if submit and 400 <= status < 500:
            message = vendor_message(body) or f"HTTP {status}"
            logger.warning("%s refused a task: HTTP %s %s", self.name, status, message)
            raise ProviderRefused(message)
        log = logger.error if submit else logger.warning
        log("%s %s answered HTTP %s, no JSON object", self.name, _path(response.url), status)
        raise ProviderUnavailable(task_may_exist=submit)

    def _unreadable(self, what: str, *, submit: bool = False) -> ProviderUnavailable:
        log = logger.error if submit else logger.warning
        log("%s answered %s without what the protocol promises", self.name, what)
        return ProviderUnavailable(task_may_exist=submit)


def vendor_message(body: dict | None) -> str:
    for key in ("message", "msg", "error"):
        if body and isinstance(body.get(key), str) and body[key]:
            return body[key]
    return ""


def _json_object(response: requests.Response) -> dict | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _dropped(exc: requests.RequestException) -> bool:
    """A connection lost without a timeout (the session's adapter has retried failed connects)."""
    return isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the request certainly never left: no connection was made, or the URL was unusable
    (requests' InvalidURL, MissingSchema and InvalidSchema are also ValueErrors)."""
    if isinstance(exc, requests.ConnectTimeout | ValueError):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _path(url: str | None) -> str:
    """The URL's path, for logs: enough to tell the call, without hosts or queries."""
    return urlsplit(url or "").path
