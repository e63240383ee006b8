"""Building one service's FastAPI application with everything both have in common."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI

from shared import health
from shared.auth.origin import SameOriginForms
from shared.auth.routes import router as auth_router
from shared.auth.service import load_users
from shared.auth.tokens import TokenIssuer
from shared.background import Background, Job
from shared.correlation import CorrelationMiddleware
from shared.db import Database
from shared.errors import install_error_handler
from shared.logging import configure_logging
from shared.metrics.middleware import MetricsMiddleware
from shared.metrics.registry import service_metrics
from shared.metrics.routes import router as metrics_router
from shared.migrations import upgrade_schema
from shared.outbox.routes import router as outbox_router
from shared.process import ProcessDefinition
from shared.settings import ServiceSettings
from shared.signing import Verifier


@dataclass(frozen=True)
class ServiceSpec:
    """What makes a service itself: its schema, routes, seed data and jobs."""

    name: str
    title: str
    description: str
    schema: str
    process: ProcessDefinition
    migrations: Path
    routers: list[APIRouter]
    seed: Callable[[Database], Awaitable[None]] | None = None
    jobs: Callable[[Database, ServiceSettings], list[Job]] = field(
        default=lambda _db, _settings: []
    )


async def open_database(spec: ServiceSpec, settings: ServiceSettings) -> Database:
    """Migrates the service's schema, connects, and loads its seed data."""
    await upgrade_schema(
        settings.database_url, schema=spec.schema, script_location=spec.migrations
    )
    db = Database(
        settings.database_url,
        schema=spec.schema,
        pool_size=settings.db_pool_size,
        task_due_s=settings.task_due_s,
    )
    if spec.seed is not None:
        await spec.seed(db)
    if settings.users_file is not None:
        await load_users(db, settings.users_file)
    return db


def create_service_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(
            service=spec.name, json=settings.log_json, level=settings.log_level
        )
        db = await open_database(spec, settings)
        app.state.db = db
        app.state.settings = settings
        app.state.verifier = Verifier(settings.webhook_secret_in.get_secret_value())
        app.state.tokens = TokenIssuer(
            service=spec.name,
            secret=settings.jwt_secret.get_secret_value(),
            ttl_s=settings.jwt_ttl_s,
        )
        background = Background(
            db=db,
            settings=settings,
            process=spec.process,
            jobs=spec.jobs(db, settings),
        )
        if settings.run_workers:
            background.start()
        try:
            yield
        finally:
            await background.stop()
            await db.dispose()

    app = FastAPI(title=spec.title, description=spec.description, lifespan=lifespan)
    install_error_handler(app)
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(SameOriginForms)
    # The schema names the service in metrics, as the background jobs know it.
    metrics = service_metrics(spec.schema)
    metrics.declare(spec.process)
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    routers = [auth_router, *spec.routers, outbox_router, health.router, metrics_router]
    for router in routers:
        app.include_router(router)
    return app
