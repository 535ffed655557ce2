"""The log of an unhandled error: a traceback, never the frames' local variables nor the
values a failed statement bound.

Both hold passwords and tokens, and rendering every frame's locals (rich's tables) took the
development server's event loop for seconds per error.
"""

import io
import logging
from collections.abc import AsyncIterator

import pytest
import structlog
from fastapi import FastAPI

from app.main import create_app
from tests.fixtures.platform import http_client, make_settings, started
from tests.integration import throwaway


@pytest.fixture(params=["development", "test"])
async def logging_app(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[FastAPI]:
    """An app logging as it does in that environment: to the console, or as JSON lines."""
    settings = make_settings(database_url, env=request.param)
    assert settings.json_logs is (request.param != "development")
    async with started(create_app(settings)) as application:
        throwaway.install(application)
        await throwaway.create_widget_table(application.state.runtime.engine)
        yield application


def keel_log() -> io.StringIO:
    """What Keel's handler writes from now on (pytest adds its own capturing ones beside it)."""
    [console] = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
        and isinstance(handler, logging.StreamHandler)
    ]
    log = io.StringIO()
    console.setStream(log)
    return log


SECRET = throwaway.SECRET_IN_LOCAL


@pytest.mark.parametrize(
    ("path", "shown", "hidden"),
    [
        pytest.param(
            "/throwaway/boom-with-a-password-at-hand",
            ["failed with a 24-character password", "boom_with_a_password_at_hand"],
            SECRET,
            id="local-variables",
        ),
        pytest.param(
            "/throwaway/widgets/unwritable",
            ["INSERT INTO test_widgets", "SQL parameters hidden"],
            # As SQLAlchemy quotes a bound value; PostgreSQL's own DETAIL line may still
            # quote the refused row, unquoted.
            f"'{SECRET}'",
            id="bound-values",
        ),
    ],
)
async def test_unhandled_error_log_keeps_out_what_the_failing_code_held(
    logging_app: FastAPI, path: str, shown: list[str], hidden: str
) -> None:
    log = keel_log()

    async with http_client(logging_app) as client:
        response = await client.post(path)

    logged = log.getvalue()
    assert response.status_code == 500
    assert "unhandled_error" in logged
    assert all(text in logged for text in shown)  # the traceback is there, for whoever debugs
    assert hidden not in logged
