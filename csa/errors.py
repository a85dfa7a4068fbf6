"""Errors that service functions raise; each API's exception handler renders them its own way."""


class ApplicationError(Exception):
    """A refusal the client can act on: a broken rule, a missing object, a conflict."""

    status_code = 400

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(ApplicationError):
    status_code = 404


class ForbiddenError(ApplicationError):
    status_code = 403


class ConflictError(ApplicationError):
    status_code = 409


class UnauthorizedError(ApplicationError):
    status_code = 401


class ServiceUnavailableError(ApplicationError):
    status_code = 503


class RateLimitedError(ApplicationError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
