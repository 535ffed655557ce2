from app.core.errors import ServiceUnavailableError


class NotReady(ServiceUnavailableError):
    error_code = "not_ready"

    def __init__(self, *, failing: list[str], checks: dict[str, object]) -> None:
        super().__init__(details=checks, failing=", ".join(failing))
