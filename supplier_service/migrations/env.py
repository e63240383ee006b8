from shared.alembic_env import run
from supplier_service.models import SCHEMA

run(SCHEMA)
