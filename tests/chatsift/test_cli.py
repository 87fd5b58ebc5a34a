"""The CLI surface: help for every command, exit codes, and errors that never print content."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from chatsift.cli import _run, app
from chatsift.errors import ExitCode, exit_code_for
from fetch.errors import AuthenticationError, MalformedResponseError, RateLimitedError
from labels import StoreFullError

runner = CliRunner()
CANARY = "cnry-cli-" + "7f3a" * 6


@pytest.mark.parametrize("command", ["simulate", "scan", "scan-user", "classify", "version"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and len(result.output) > 100


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (AuthenticationError("401", status=401), ExitCode.API_REFUSED),
        (RateLimitedError("429"), ExitCode.API_UNAVAILABLE),
        (MalformedResponseError("bad page"), ExitCode.API_UNAVAILABLE),
        (StoreFullError("full"), ExitCode.STORAGE),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (ValueError("bug"), ExitCode.INTERNAL),
    ],
)
def test_errors_map_to_documented_exit_codes(exc: BaseException, code: ExitCode) -> None:
    assert exit_code_for(exc) is code


def test_internal_error_prints_type_and_place_never_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    def boom() -> None:
        raise ValueError(f"a library error quoting the chat: {CANARY}")

    with pytest.raises(typer.Exit) as info:
        _run(boom)
    assert info.value.exit_code == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "ValueError" in err and "test_cli.py" in err
    assert CANARY not in err


def test_classify_missing_input_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATSIFT_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("CHATSIFT_NER", "off")
    result = runner.invoke(
        app, ["classify", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "o.jsonl")]
    )
    assert result.exit_code == ExitCode.CONFIG
    assert "input not found" in result.output
