#!/usr/bin/env bash
# Proves the README's promise: on a fresh clone, `npm install && npm test` is the whole set-up. Clones the committed
# HEAD into a temporary folder and runs exactly that command there with Debian's Chromium and docker-compose out of
# reach (shadowed on PATH; /usr/bin/chromium covered by an empty file in a private mount namespace when it exists),
# so a test that still needed either one fails here. Needs what a fresh machine of this kind has: Node, npm, git and
# a Redis on 127.0.0.1:6379. Takes as long as the suite (about five minutes on two cores).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/gateway-fresh-clone.XXXXXX")"
trap 'rm -rf "$work"' EXIT

git clone --quiet --no-hardlinks "$root" "$work/repo"
echo "== fresh clone of $(git -C "$work/repo" rev-parse --short HEAD) in $work/repo"

# Anything that asks for Debian's tools by name finds a stub that fails loudly instead.
mkdir -p "$work/shadow"
for tool in docker-compose chromium chromium-browser chromedriver; do
  printf '#!/bin/sh\necho "%s is hidden by scripts/fresh-clone.sh: the suite must not need it" >&2\nexit 127\n' "$tool" > "$work/shadow/$tool"
  chmod +x "$work/shadow/$tool"
done

run_suite='cd "$1" && export PATH="$2:$PATH" && npm install --no-audit --no-fund && npm test'
if [ -e /usr/bin/chromium ]; then
  # Hide the absolute path too, for this command only (root in a private mount namespace).
  unshare --mount bash -c "mount --bind /dev/null /usr/bin/chromium && bash -c '$run_suite' _ \"\$0\" \"\$1\"" "$work/repo" "$work/shadow"
else
  bash -c "$run_suite" _ "$work/repo" "$work/shadow"
fi
echo "== npm install && npm test passed on a fresh clone without Debian's chromium and docker-compose"
