"""The cost ledger (bench/ledger.py, `make bench`) measures every layer it reports, in process,
and rewrites only its own part of bench/README.md. Run small, on SQLite: the floor it sets
beside Keel needs PostgreSQL, which `make bench` has."""

from pathlib import Path

import pytest

from bench import ledger


def test_the_ledger_measures_each_layer_of_keels_hot_requests(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ledger, "REQUESTS", 2)
    monkeypatch.setattr(ledger, "ROUNDS", 1)

    result = ledger.measure(sqlite=True)

    rows = result["microseconds"]
    assert list(rows) == [
        "GET /health/live",
        "GET /api/v1/users/me",
        "GET /api/v1/todos",
        "GET /api/v2/todos?limit=20",
    ]
    for figures in rows.values():
        assert set(figures["keel"]) == {*ledger.LAYERS, "total"}
        assert figures["keel"]["total"] > 0
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{ledger.BEGIN}\nthe last table\n{ledger.END}\nafter\n")
    ledger.write_readme(result, readme)
    text = readme.read_text()
    assert text.startswith(f"before\n{ledger.BEGIN}\n| µs CPU per request | server |")
    assert text.endswith(f"{ledger.END}\nafter\n")
    assert "the last table" not in text
    assert "| `GET /api/v1/todos` |" in text


def test_the_bench_readme_keeps_a_place_for_the_ledger() -> None:
    text = ledger.README.read_text()
    assert text.count(ledger.BEGIN) == text.count(ledger.END) == 1
    assert text.index(ledger.BEGIN) < text.index(ledger.END)
