"""Storage on SQLAlchemy (async): a key-value store and a small SQL store.

SQLite is the default (a file under the distribution's state directory); PostgreSQL or
any other SQLAlchemy async URL works through ``StoreConfig.url``.
"""

from plugstack.storage.engine import create_engine_for
from plugstack.storage.kvstore import KVStore, SqlKVStore
from plugstack.storage.sqlstore import SqlStore

__all__ = ["KVStore", "SqlKVStore", "SqlStore", "create_engine_for"]
