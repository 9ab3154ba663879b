"""Domain errors that views and the API turn into responses."""


class ApplicationError(Exception):
    """A rule of the domain was broken; the message is safe to show (no clinical content)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SecondFactorRequired(Exception):
    """A clinician or owner must enrol a second factor before seeing client data (SR-04)."""
