"""The routes of application keys."""

CREATE = "/api/application-key/create"
INFO = "/api/application-key/info"
ROTATE = "/api/application-key/rotate"
STATUS = "/api/application-key/status"
VALIDATE = "/api/application-key/validate"
