"""One SQLAlchemy async engine per store config."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from plugstack.errors import ConfigError
from plugstack.run_config import StoreConfig

__all__ = ["create_engine_for"]


def create_engine_for(store: StoreConfig, default_path: Path) -> AsyncEngine:
    """An engine for ``store``: its ``url``, else SQLite at ``db_path`` or ``default_path``."""
    if store.url is not None:
        url = store.url.get_secret_value()
        if store.type == "postgres" and not url.startswith("postgresql"):
            raise ConfigError("storage: a postgres store needs a url like postgresql+asyncpg://user:pw@host/db")
        if url.startswith("postgresql://"):
            url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
        try:
            return create_async_engine(url, pool_pre_ping=True)
        except Exception as exc:
            # the message may echo the URL: name the problem without it
            raise ConfigError(f"storage: cannot use the configured url ({type(exc).__name__})") from None
    if store.type == "postgres":
        raise ConfigError("storage: type postgres needs a url")
    path = Path(store.db_path).expanduser() if store.db_path else default_path
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # WAL lets readers run beside the writer; a busy timeout turns contention into waits.
        # synchronous=NORMAL under WAL syncs at checkpoints, not at every commit: a commit
        # survives the process being killed (it is in the WAL file), and only a power loss or
        # an OS crash can drop the last ones. A full sync per commit cost ~5 ms per stored
        # response at concurrency 1.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine
