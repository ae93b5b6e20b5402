"""The one error a log's rules raise: its message is for the user, nothing was stored."""


class LogError(ValueError):
    """A rule was broken. The message is for the user; nothing was stored."""

    def __init__(self, message: str, field: str | None = None, code: str = ""):
        super().__init__(message)
        self.field = field
        self.code = code
