from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import MIN_SECRET_LENGTH, ServiceSettings

NORTHWIND = Path(__file__).parents[1] / "data" / "northwind"


class SupplierSettings(ServiceSettings):
    """Settings of the supplier service; variables start with ``SUPPLIER_``."""

    model_config = SettingsConfigDict(env_prefix="SUPPLIER_", extra="ignore")

    peer_url: str = Field(
        default="http://127.0.0.1:8001",
        validation_alias=AliasChoices("CLIENT_URL", "SUPPLIER_PEER_URL"),
    )
    webhook_secret_out: SecretStr = Field(
        min_length=MIN_SECRET_LENGTH,
        validation_alias=AliasChoices(
            "WEBHOOK_SECRET_SUPPLIER_TO_CLIENT", "SUPPLIER_WEBHOOK_SECRET_OUT"
        ),
    )
    webhook_secret_in: SecretStr = Field(
        min_length=MIN_SECRET_LENGTH,
        validation_alias=AliasChoices(
            "WEBHOOK_SECRET_CLIENT_TO_SUPPLIER", "SUPPLIER_WEBHOOK_SECRET_IN"
        ),
    )
    catalogue_dir: Path = Field(
        default=NORTHWIND,
        description="Folder with products.csv, categories.csv and suppliers.csv.",
    )
    quote_validity_s: float = Field(
        default=7 * 86400, gt=0, description="How long a quote can be accepted."
    )
    quote_max_discount: float = Field(
        default=0.25, ge=0, lt=1, description="Largest discount granted on a line."
    )
