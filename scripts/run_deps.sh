#!/usr/bin/env bash
# What `make run` needs besides Python packages: GNU gettext (the translations are compiled) and,
# for the PDF certificates of hours, Pango and DejaVu fonts (WeasyPrint). On Debian as root the
# missing ones are installed; elsewhere gettext is required and the PDF libraries are named.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v msgfmt >/dev/null || missing+=(gettext)
pdf=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || pdf+=(fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || pdf+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' || pdf+=(libharfbuzz-subset0)

if [ ${#missing[@]} -gt 0 ] || [ ${#pdf[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -q >/dev/null
    echo "Installing Debian packages: ${missing[*]} ${pdf[*]}"
    apt-get install -y -q --no-install-recommends "${missing[@]}" "${pdf[@]}" >/dev/null
  elif [ ${#missing[@]} -gt 0 ]; then
    echo "make run needs GNU gettext (Debian: apt-get install gettext)." >&2
    exit 1
  else
    echo "Note: PDF certificates need ${pdf[*]} (Debian package names); the rest of the site runs without them." >&2
  fi
fi
