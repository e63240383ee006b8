"""Standard Webhooks signatures: one secret per direction."""

from collections.abc import Mapping
from datetime import datetime

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from shared.errors import InvalidInput, InvalidSignature

MAX_MESSAGE_ID = 200


class Signer:
    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)

    def headers(
        self, message_id: str, timestamp: datetime, body: str
    ) -> dict[str, str]:
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": self._webhook.sign(message_id, timestamp, body),
        }


class Verifier:
    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> str:
        """Checks signature and timestamp (±5 minutes); returns the webhook id."""
        try:
            self._webhook.verify(body, dict(headers), json_parse=False)
        except WebhookVerificationError as exc:
            raise InvalidSignature(f"webhook rejected: {exc}") from exc
        message_id = headers["webhook-id"]
        if len(message_id) > MAX_MESSAGE_ID:
            raise InvalidInput(f"webhook-id is longer than {MAX_MESSAGE_ID} characters")
        return message_id
