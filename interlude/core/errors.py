"""Domain errors that views and the API turn into responses."""


class ApplicationError(Exception):
    """A rule of the domain was broken; the message is safe to show (no clinical content)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SecondFactorRequired(Exception):
    """A clinician or owner must enrol a second factor before seeing client data (SR-04)."""


class IdempotencyConflict(ApplicationError):
    """An idempotency key sent again with a different request: the API answers 409."""

    def __init__(self, what: str = "record") -> None:
        super().__init__(
            f"This idempotency_key was already used for a different {what}. "
            f"Nothing new was saved. Send a new key for a new {what}.",
            field="idempotency_key",
        )
