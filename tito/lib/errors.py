"""The one exception type for mistakes a user can fix: `tito` prints it without a traceback."""


class UserError(Exception):
    """A problem in the user's terms (which module, which file, what to do next)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint
