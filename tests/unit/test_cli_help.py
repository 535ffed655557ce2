"""What `keel --help` shows an operator."""

import pytest
from typer.testing import CliRunner

from app.cli import app


@pytest.mark.parametrize("args", [["serve", "--help"], ["--help"], ["create-admin", "--help"]])
def test_flags_carry_no_type_label_and_options_keep_theirs(args: list[str]) -> None:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "120"})

    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--help" in result.output


def test_serve_help_shows_the_reload_flag_and_the_port_type() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "120"})

    reload_line = next(line for line in result.output.splitlines() if "--reload" in line)
    assert "--no-reload" in reload_line
    assert "<" not in reload_line
    assert "<int>" in next(line for line in result.output.splitlines() if "--port" in line)


def test_a_docstring_wrapped_in_the_source_reads_as_one_sentence() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})

    assert "between its models and the database at KEEL_DATABASE_URL" in result.output


def test_new_domain_help_names_what_a_field_looks_like_not_its_python_type() -> None:
    result = CliRunner().invoke(app, ["new-domain", "--help"], env={"COLUMNS": "120"})

    field_line = next(line for line in result.output.splitlines() if "--field" in line)
    assert "NAME:TYPE" in field_line
    assert "list[" not in result.output
