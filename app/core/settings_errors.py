"""Bad settings end the process with one line per setting: its variable and what is wrong.

Pydantic's own report is a traceback whose last lines quote every input, the secrets among
them (`input_value={... 'smtp_password': ...}`). This one names the variable and never
repeats a value; `InvalidSettings` is a `SystemExit`, so Python prints it without a
traceback, whichever command (or `uvicorn --factory`) loaded the settings.
"""

import re

from pydantic import ValidationError
from pydantic_settings import SettingsError

ENV_PREFIX = "KEEL_"
VALUE_ERROR_PREFIX = "Value error, "
# pydantic-settings names the field of a value it could not decode (a JSON list, say).
UNDECODABLE_FIELD = re.compile(r'error parsing value for field "(?P<field>\w+)"')


class InvalidSettings(SystemExit):
    def __init__(self, error: ValidationError | SettingsError) -> None:
        lines = "\n".join(f"  {line}" for line in describe(error))
        super().__init__(f"Keel cannot start: invalid settings (see .env.example)\n{lines}")


def describe(error: ValidationError | SettingsError) -> list[str]:
    """One line per bad setting; messages only, never the input they were about."""
    if isinstance(error, SettingsError):
        match = UNDECODABLE_FIELD.search(str(error))
        name = variable(match["field"]) if match else "a setting"
        return [f"{name}: cannot be decoded (a list or object setting takes JSON)"]
    return [_line(problem["loc"], problem["msg"]) for problem in error.errors(include_input=False)]


def variable(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def _line(location: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix(VALUE_ERROR_PREFIX)
    if not location:
        return message  # a check across settings; its message names them
    name = variable(str(location[0]))
    if message.startswith(name):
        return message
    item = "".join(f"[{part}]" for part in location[1:])
    return f"{name}{item}: {message}"
