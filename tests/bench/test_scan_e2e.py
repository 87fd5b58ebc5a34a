"""The end-to-end benchmark's arithmetic and the scan environment it builds (no scan is run here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.common import ScanRun, scan_env
from bench.scan_e2e import api_bound, figures, parse_workers


def _scan(wall: float, cpu: float, report: dict[str, Any] | None) -> ScanRun:
    return ScanRun(0, 0.0, wall, 100.0, cpu, report, [])


def test_worker_lists_parse_and_bad_ones_are_refused() -> None:
    assert parse_workers("0,2") == [0, 2] and parse_workers("1") == [1]
    for bad in ("", "-1", "x"):
        with pytest.raises(ValueError):
            parse_workers(bad)


def test_scan_env_leaves_ner_to_the_app_default_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATSIFT_NER", "off")  # the developer's own setting never leaks in
    assert "CHATSIFT_NER" not in scan_env("http://127.0.0.1:1", tmp_path, ner=None)
    assert scan_env("http://127.0.0.1:1", tmp_path)["CHATSIFT_NER"] == "off"
    assert scan_env("http://127.0.0.1:1", tmp_path, ner="auto")["CHATSIFT_NER"] == "auto"


def test_busy_and_cpu_shares_and_the_verdict() -> None:
    m = {"startup_s": 5.0, "span_s": 180.0, "budget_use": 0.95}
    report = {"elapsed_s": 190.0, "classify_seconds": 95.0, "classify_cpu_seconds": 90.0}
    f = figures(m, _scan(200.0, 100.0, report), workers=0, cores=2)
    assert f["cpu_share"] == pytest.approx(0.25) and f["classify_busy_share"] == pytest.approx(0.5)
    assert f["tail_after_last_request_s"] == pytest.approx(15.0)
    assert api_bound(m, f)
    pooled = figures(m, _scan(200.0, 100.0, {**report, "classify_seconds": 190.0}), workers=2, cores=2)
    assert pooled["classify_busy_share"] == pytest.approx(0.5) and api_bound(m, pooled)
    busy = figures(m, _scan(200.0, 100.0, {**report, "classify_seconds": 180.0}), workers=0, cores=2)
    assert not api_bound(m, busy)
    assert not api_bound({**m, "budget_use": 0.7}, f)
    assert figures(m, _scan(0.0, 0.0, None), workers=0, cores=2)["classify_busy_share"] == 0.0
