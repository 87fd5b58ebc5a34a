"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.labels.rsyslog import RsyslogServer


@pytest.fixture
def rsyslog(tmp_path: Path) -> Iterator[RsyslogServer]:
    """A real rsyslog on loopback (plain TCP and TLS listeners), stopped at the end of the test."""
    with RsyslogServer(tmp_path / "rsyslog") as server:
        yield server
