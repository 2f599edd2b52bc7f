"""Settings that hold JSON or lists of their own are parsed once, at start: a bad value stops
the process with a ValidationError that names the setting."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from wallboard.model.alerts import Threshold
from wallboard.model.today import Targets
from wallboard.settings import Settings


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def refused(match: str, **values: Any) -> str:
    with pytest.raises(ValidationError, match=match) as caught:
        settings(**values)
    return str(caught.value)


def test_good_values_are_parsed_once() -> None:
    s = settings(
        thresholds='{"300": {"waiting": [1, 2]}}',
        queue_targets="300=30/90/10",
        day_start="06:30",
        sl_target_s=15,
    )
    assert s.alert_thresholds.of("300")["waiting"] == Threshold(1, 2)
    assert s.alert_thresholds.of("301")["waiting"] == Threshold(3, 6), "the defaults stay"
    assert s.queue_target_map == {"300": Targets(30, 90, 10)}
    assert s.default_targets == Targets(15, 80, 5)
    assert s.day_start_time == time(6, 30)


def test_thresholds_that_are_not_json() -> None:
    refused("WALLBOARD_THRESHOLDS is not valid JSON", thresholds='{"*": {"waiting": [3, 6]')


def test_a_thresholds_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.json"
    path.write_text("{nope")
    refused("WALLBOARD_THRESHOLDS_FILE", thresholds_file=str(path))
    refused("WALLBOARD_THRESHOLDS_FILE", thresholds_file=str(tmp_path / "missing.json"))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"*": {"waiting": [6, 3]}}', "red must be above yellow"),
        ('{"300": {"available": [1, 2]}}', "red must be below yellow"),
        ('{"*": {"nope": [1, 2]}}', "unknown threshold"),
        ('{"*": 3}', "must be an object"),
        ("[1, 2]", "must be an object"),
    ],
)
def test_thresholds_in_the_wrong_order_or_shape(raw: str, reason: str) -> None:
    message = refused(reason, thresholds=raw)
    assert "thresholds" in message.lower()


@pytest.mark.parametrize("raw", ["300", "300=x", "300=1/2/3/4", "=20", "300=20/120"])
def test_bad_queue_targets(raw: str) -> None:
    message = refused("WALLBOARD_QUEUE_TARGETS", queue_targets=raw)
    assert "bad queue target" in message


@pytest.mark.parametrize("raw", ["6", "6:00:00", "24:00", "06:60", "six:00", ""])
def test_bad_day_start(raw: str) -> None:
    message = refused("day_start", day_start=raw)
    assert "day_start must be" in message
