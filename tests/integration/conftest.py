from collections.abc import AsyncIterator

import httpx
import pytest

from tests.system import As


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that acts as an admin unless a request says otherwise."""
    async with httpx.AsyncClient(timeout=30, auth=As("ada")) as client:
        yield client
