"""Alembic environment: a synchronous engine on the same database as the service.

Synchronous (pysqlite / psycopg) so migrations can run in a worker thread from the async
lifespan without a second event loop. The whole upgrade is one transaction holding a lock, so
two processes starting together run it once: the second waits, then finds nothing to do.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

# Importing the models registers their tables on Base.metadata (for autogenerate).
from tikpost.accounts import models as _accounts_models  # noqa: F401
from tikpost.kit.db import Base, configure_sqlite, sync_url
from tikpost.media import models as _media_models  # noqa: F401
from tikpost.posts import models as _posts_models  # noqa: F401
from tikpost.runtime import models as _executors_models  # noqa: F401
from tikpost.teams import models as _teams_models  # noqa: F401
from tikpost.webhooks import models as _webhooks_models  # noqa: F401

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from tikpost.settings import Settings

        url = Settings().database_url
    return str(url)


def run_offline() -> None:
    context.configure(
        url=sync_url(_database_url()), target_metadata=Base.metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_engine(sync_url(_database_url()), poolclass=NullPool)
    is_sqlite = engine.dialect.name == "sqlite"
    if is_sqlite:
        configure_sqlite(engine, foreign_keys=False)
        # BEGIN IMMEDIATE: the migration holds SQLite's write lock from its first statement.
        engine = engine.execution_options(tikpost_sqlite_begin="IMMEDIATE")
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=is_sqlite,
                transactional_ddl=True,
                compare_type=True,
            )
            with context.begin_transaction():
                if not is_sqlite:
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(hashtext('tikpost-migrations'))")
                    )
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
