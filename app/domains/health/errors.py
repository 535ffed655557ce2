from app.core.errors import ServiceUnavailableError


class NotReady(ServiceUnavailableError):
    """`/health/ready`: `details` names each failing check."""

    error_code = "not_ready"

    def __init__(self, *, failing: list[str], checks: dict[str, object]) -> None:
        super().__init__(details=checks, failing=", ".join(failing))
