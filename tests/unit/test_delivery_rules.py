"""Reading Retry-After, and the webhook signature round trip."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from orderflow.secrets import new_secret
from shared.errors import InvalidSignature
from shared.outbox.dispatcher import retry_after_seconds
from shared.signing import Signer, Verifier


def test_retry_after_in_seconds_and_as_a_date() -> None:
    in_a_minute = format_datetime(
        datetime.now(UTC) + timedelta(seconds=60), usegmt=True
    )

    assert retry_after_seconds("120") == 120
    assert 55 <= (retry_after_seconds(in_a_minute) or 0) <= 60
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None


def test_a_signature_verifies_only_with_the_same_secret_and_body() -> None:
    secret = new_secret()
    body = '{"type": "order.placed"}'
    headers = Signer(secret).headers("msg_1", datetime.now(UTC), body)

    assert Verifier(secret).verify(body.encode(), headers) == "msg_1"
    with pytest.raises(InvalidSignature):
        Verifier(new_secret()).verify(body.encode(), headers)
    with pytest.raises(InvalidSignature):
        Verifier(secret).verify(body.replace("placed", "paid").encode(), headers)
