from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import MIN_SECRET_LENGTH, ServiceSettings


class ClientSettings(ServiceSettings):
    """Settings of the client service; variables start with ``CLIENT_``."""

    model_config = SettingsConfigDict(env_prefix="CLIENT_", extra="ignore")

    peer_url: str = Field(
        default="http://127.0.0.1:8002",
        validation_alias=AliasChoices("SUPPLIER_URL", "CLIENT_PEER_URL"),
    )
    webhook_secret_out: SecretStr = Field(
        min_length=MIN_SECRET_LENGTH,
        validation_alias=AliasChoices(
            "WEBHOOK_SECRET_CLIENT_TO_SUPPLIER", "CLIENT_WEBHOOK_SECRET_OUT"
        ),
    )
    webhook_secret_in: SecretStr = Field(
        min_length=MIN_SECRET_LENGTH,
        validation_alias=AliasChoices(
            "WEBHOOK_SECRET_SUPPLIER_TO_CLIENT", "CLIENT_WEBHOOK_SECRET_IN"
        ),
    )
    customers_csv: str = Field(
        default=str(Path(__file__).parents[1] / "data" / "northwind" / "customers.csv"),
        description="Buying companies loaded at start-up.",
    )
