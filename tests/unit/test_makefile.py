"""What `make install` (and so `make run`) says before a long first install, and only then."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def make_install(folder: Path) -> str:
    make = shutil.which("make")
    assert make
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [make, "-s", "install", f"UV={shutil.which('true')}"],  # `true` stands in for uv
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_first_install_says_what_it_does_and_later_ones_stay_quiet(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")

    first = make_install(tmp_path)
    (tmp_path / ".venv").mkdir()
    later = make_install(tmp_path)

    assert first.strip() == "installing Keel's dependencies into .venv (first run only: about 15 s)"
    assert later == ""
