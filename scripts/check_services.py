"""Fail early, naming what is missing, when PostgreSQL, Redis or Chromium is not there for the tests."""

import os
import sys

import dj_database_url
import psycopg2
import redis


def main() -> int:
    ok = True
    db_url = os.environ["DATABASE_URL"]
    cfg = dj_database_url.parse(db_url)
    try:
        psycopg2.connect(
            dbname="postgres",
            user=cfg["USER"] or "postgres",
            password=cfg["PASSWORD"] or None,
            host=cfg["HOST"] or "127.0.0.1",
            port=cfg["PORT"] or 5432,
            connect_timeout=5,
        ).close()
    except psycopg2.Error as exc:
        ok = False
        print(f"PostgreSQL is not reachable at {cfg['HOST']}:{cfg['PORT']} ({exc}).", file=sys.stderr)
        print("Start it, e.g.: pg_ctlcluster 15 main start", file=sys.stderr)
    redis_url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        ok = False
        print(f"Redis is not reachable at {redis_url} ({exc}).", file=sys.stderr)
        print("Start it, e.g.: redis-server --daemonize yes --port 6379", file=sys.stderr)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        ok = False
        print(f"Chromium is not installed at {chromium}; the browser tests need it.", file=sys.stderr)
        print("Install it, e.g.: apt-get install chromium", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
