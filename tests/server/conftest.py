"""Fixtures for the server tests: an app with the rule judge, on SQLite and on PostgreSQL.

Every test of the store and the server (all but the modules in ``SQLITE_ONLY``) runs twice: on a
temporary SQLite file and on a fresh schema of a scratch PostgreSQL database, which is created
for the run and dropped at its end. The server is ``TEST_POSTGRES_URL`` (default
``PG_URL``: a local server with trust authentication). Without one the PostgreSQL half skips,
unless ``TEST_POSTGRES=require`` (``make test`` sets it) or ``CI=true``: then it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import serverkit
from fastapi import FastAPI
from fastapi.testclient import TestClient
from serverkit import PG_URL, login, make_app

from steelman.server.db import Store

# Modules that need no database, or test SQLite files themselves (backups, the CLI).
SQLITE_ONLY = frozenset(
    {
        "test_server_batcher",
        "test_server_browser",
        "test_server_cli",
        "test_server_clients",
        "test_server_real_model",
        "test_server_settings",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames and metafunc.module.__name__ not in SQLITE_ONLY:
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def _postgres_required() -> bool:
    return (
        os.environ.get("TEST_POSTGRES", "") == "require"
        or os.environ.get("CI", "").lower() == "true"
    )


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The URL of a scratch PostgreSQL database made for this run, dropped at its end."""
    try:
        import psycopg

        base = os.environ.get("TEST_POSTGRES_URL", PG_URL)
        admin = psycopg.connect(base, autocommit=True, connect_timeout=5)
    except Exception as exc:
        message = f"PostgreSQL is not reachable at {base}: {exc}"
        if _postgres_required():
            pytest.fail(f"{message} (required: TEST_POSTGRES=require or CI=true)")
        pytest.skip(message)
    name = f"steelman_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """This test's database URL, which :func:`serverkit.make_app` uses; apps it made are closed
    afterwards."""
    if getattr(request, "param", "sqlite") == "sqlite":
        url = f"sqlite:///{tmp_path / 'comments.db'}"
    else:
        base = request.getfixturevalue("postgres_database")
        url = f"{base}?schema=t_{uuid.uuid4().hex[:12]}"
    with serverkit.using_database(url):
        yield url


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    app = make_app(tmp_path)
    yield app
    app.state.steelman.batcher.stop()
    app.state.steelman.store.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def admin(client: TestClient) -> TestClient:
    """The client, logged in, sending its CSRF token on every request."""
    client.headers["X-CSRF-Token"] = login(client)
    return client


@pytest.fixture
def store_url(database: str) -> str:
    """A fresh, empty database: this test's SQLite file or PostgreSQL schema."""
    return database


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store.open(store_url)
    yield store
    store.close()
