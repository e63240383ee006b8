from client_service.models import SCHEMA
from shared.alembic_env import run

run(SCHEMA)
