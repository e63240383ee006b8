from datetime import datetime

from sqlalchemy import Column, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from shared.models import InfraModel, utc_column


class User(InfraModel, table=True):
    """A person who may log in to this service; passwords are kept as argon2 hashes."""

    __tablename__ = "users"

    username: str = Field(primary_key=True)
    password_hash: str
    roles: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))
    disabled: bool = False
    created_at: datetime = utc_column()
