"""Settings common to both services, read from the environment."""

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Short secrets are guessable; `orderflow secrets` makes 50-character ones.
MIN_SECRET_LENGTH = 24


class ServiceSettings(BaseSettings):
    """One typed settings object per service; units are part of the field names."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = Field(
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="postgresql:// URL of the server holding this service's schema.",
    )
    peer_url: str = Field(description="Base URL of the other service.")
    peer_public_url: str | None = Field(
        default=None,
        description="The other service's address as a browser sees it, for links "
        "between the dashboards; peer_url when not set.",
    )
    webhook_secret_out: SecretStr = Field(description="Signs webhooks we send.")
    webhook_secret_in: SecretStr = Field(description="Verifies webhooks we receive.")

    jwt_secret: SecretStr = Field(
        min_length=MIN_SECRET_LENGTH, description="Signs this service's access tokens."
    )
    jwt_ttl_s: float = 8 * 3600
    users_file: Path | None = Field(
        default=None,
        description="JSON list of users (username, roles, password_hash) to load.",
    )

    run_workers: bool = True
    db_pool_size: int = 20
    log_json: bool = False
    log_level: str = "INFO"

    outbox_batch_size: int = 64
    outbox_lease_s: float = 60.0
    outbox_poll_interval_s: float = 1.0
    outbox_burst_attempts: int = 3
    outbox_burst_wait_initial_s: float = 0.2
    outbox_burst_wait_max_s: float = 2.0
    outbox_retry_schedule_s: tuple[float, ...] = (
        10,
        60,
        300,
        1800,
        3600,
        3 * 3600,
        6 * 3600,
        12 * 3600,
    )
    task_due_s: dict[str, float] = Field(
        default_factory=dict,
        description="Due time per human task type, overriding the model's default.",
    )
    task_escalation_priority_step: int = 25

    http_timeout_s: float = 10.0
    http_max_connections: int = 50
