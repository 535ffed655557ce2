"""`make test` without the servers says once per reason what it skipped and how to run it."""

from tests.services import skip_summary


def test_skips_are_counted_by_reason_with_how_to_run_them() -> None:
    reasons = ["postgres: KEEL_TEST_POSTGRES_URL is not set"] * 3 + [
        "transaction timestamps are PostgreSQL's"
    ]

    lines = skip_summary(reasons)

    assert len(lines) == 2
    assert lines[0].startswith("   3 skipped: postgres: KEEL_TEST_POSTGRES_URL is not set; to run them: ")
    assert "KEEL_TEST_POSTGRES_URL=postgresql+asyncpg://" in lines[0]
    assert lines[1] == "   1 skipped: transaction timestamps are PostgreSQL's"
