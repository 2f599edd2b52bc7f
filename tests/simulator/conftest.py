from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from wallboard.simulator import create_app
from wallboard.simulator.config import Config

from .support import TestClient, manual_center


@pytest.fixture
def app() -> Starlette:
    """The simulator on a hand-driven call center (random events off)."""
    return create_app(manual_center(), Config())


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c
