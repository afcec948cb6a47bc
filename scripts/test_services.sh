#!/usr/bin/env bash
# What `make test` needs besides Python packages: GNU gettext, Chromium and DejaVu fonts for the
# browser tests, Pango for the PDF certificates (WeasyPrint), PostgreSQL and Redis running on 127.0.0.1. On Debian as root, whatever is missing
# is installed and started; elsewhere the script names exactly what is missing and stops.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PGPORT="${PGPORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -q >/dev/null; apt_updated=1; fi
  echo "Installing Debian packages: $*"
  apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

missing=()
command -v msgfmt >/dev/null || missing+=(gettext)
[ -x "$CHROMIUM" ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# WeasyPrint (certificates of hours) draws text through Pango; HarfBuzz subsetting comes with it.
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
pg_isready -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null || command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || command -v redis-server >/dev/null || missing+=(redis-server redis-tools)

if [ ${#missing[@]} -gt 0 ]; then
  if can_install; then
    apt_install "${missing[@]}"
  else
    echo "make test needs these (Debian package names): ${missing[*]}" >&2
    echo "Install them (as root: apt-get install ${missing[*]}) and run make test again." >&2
    exit 1
  fi
fi

if ! pg_isready -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; then
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -n "$ver" ] && [ "$(id -u)" = 0 ]; then
    echo "Starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p "$PGPORT" -q && break; sleep 1; done
  fi
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && command -v redis-server >/dev/null; then
  echo "Starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p /tmp/volunteer-net-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp/volunteer-net-redis --logfile /tmp/volunteer-net-redis/redis.log
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 1; done
fi
