"""A response is validated once: by the endpoint, building its response model from the domain's
objects. FastAPI's own pass over what the endpoint returns (`serialize_response`) then finds an
instance of the response model and keeps it as it is (pydantic's `revalidate_instances`, "never"
by default) before dumping it to JSON in pydantic-core. A response model that asks for its
instances to be revalidated would make that pass a second validation (docs/decisions.md)."""

from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel

from app.core.config import Settings
from app.domains.accounts.schemas import UserRead
from app.main import create_app
from app.web.responses import operations
from tests.fixtures.platform import TEST_DEFAULTS


def response_models(annotation: Any) -> set[type[BaseModel]]:
    """The models in a response type, its lists' and unions' members included."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        nested = {
            model for field in annotation.model_fields.values() for model in response_models(field.annotation)
        }
        return {annotation} | nested
    return {model for argument in getattr(annotation, "__args__", ()) for model in response_models(argument)}


def routes() -> dict[tuple[str, str], Any]:
    """The API's routes, by method and full path."""
    app = create_app(Settings(_env_file=None, **TEST_DEFAULTS))  # type: ignore[call-arg, arg-type]
    return {
        (method, operation.path_format): cast(Any, operation).original_route
        for operation in operations(app.routes)
        for method in operation.methods
    }


def test_no_response_model_revalidates_its_instances() -> None:
    models = {
        model
        for route in routes().values()
        if route.response_field
        for model in response_models(route.response_model)
    }

    revalidating = sorted(
        model.__name__
        for model in models
        if model.model_config.get("revalidate_instances", "never") != "never"
    )

    assert models
    assert revalidating == []


def test_fastapi_keeps_the_endpoints_model_as_it_is() -> None:
    me = routes()["GET", "/api/v1/users/me"]
    now = datetime.now(UTC)
    built = UserRead.model_validate(
        {
            "id": 1,
            "email": "ada@example.com",
            "role": "member",
            "is_active": True,
            "is_verified": True,
            "created_at": now,
        }
    )

    value, errors = me.response_field.validate(built, {}, loc=("response",))

    assert errors == []
    assert value is built
