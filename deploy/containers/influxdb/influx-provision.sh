#!/bin/bash
# Provisions Fleetwarden's InfluxDB 1.x (authentication on): the admin user (created only while the
# server has no user at all), the database with its retention policy, and one user per component
# with the least privilege it needs. Idempotent: a re-run sets the passwords and retention again.
# Used by the local runner (deploy/bin/fleetwarden-local) and the InfluxDB image's entrypoint.
#
# Environment (secrets never go on a command line: curl reads them from a private temp folder):
#   FW_INFLUX_URL                   HTTP API (default http://127.0.0.1:8086)
#   FW_INFLUX_DATABASE              database (default fleetwarden)
#   FW_INFLUX_RETENTION             how long points are kept: <n>h, <n>d, <n>w or INF (default 30d)
#   FW_INFLUX_SHARD_DURATION        shard group duration (default 1d)
#   FW_INFLUX_ADMIN_USER / _PASSWORD       required: the server's admin (ALL PRIVILEGES)
#   FW_INFLUX_JOBS_USER / _PASSWORD        optional: stream-jobs, WRITE on the database
#   FW_INFLUX_DASHBOARD_USER / _PASSWORD   optional: dashboard-api, ALL on the database (reads series,
#                                          writes posture snapshots, deletes an erased device's series)
# Exit codes: 0 provisioned, 2 bad configuration, 3 the server refused (reason printed).
set -euo pipefail

url="${FW_INFLUX_URL:-http://127.0.0.1:8086}"
db="${FW_INFLUX_DATABASE:-fleetwarden}"
retention="${FW_INFLUX_RETENTION:-30d}"
shard="${FW_INFLUX_SHARD_DURATION:-1d}"

fail() { echo "influx-provision: $1" >&2; exit "${2:-2}"; }

name_ok() { [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]]; }
# Passwords are written into InfluxQL string literals: a restricted alphabet rules out injection.
password_ok() { [[ "$1" =~ ^[A-Za-z0-9._~+/=-]{16,128}$ ]]; }
duration_ok() { [[ "$1" =~ ^[1-9][0-9]{0,5}[hdw]$ ]] || [ "$1" = INF ]; }

name_ok "$db" || fail "FW_INFLUX_DATABASE '$db' is not a valid name ([A-Za-z0-9._-], up to 64)"
duration_ok "$retention" || fail "FW_INFLUX_RETENTION '$retention' is not <n>h, <n>d, <n>w or INF"
duration_ok "$shard" && [ "$shard" != INF ] || fail "FW_INFLUX_SHARD_DURATION '$shard' is not <n>h, <n>d or <n>w"

admin="${FW_INFLUX_ADMIN_USER:-}"
admin_pw="${FW_INFLUX_ADMIN_PASSWORD:-}"
[ -n "$admin" ] && [ -n "$admin_pw" ] || fail "FW_INFLUX_ADMIN_USER and FW_INFLUX_ADMIN_PASSWORD are required"
name_ok "$admin" || fail "FW_INFLUX_ADMIN_USER is not a valid user name"
password_ok "$admin_pw" || fail "FW_INFLUX_ADMIN_PASSWORD must be 16-128 characters of [A-Za-z0-9._~+/=-]"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
chmod 700 "$tmp"

# query STATEMENT [as-admin]: POSTs one InfluxQL statement; prints the response body. The statement
# and the credentials travel in files, never in curl's arguments.
query() {
  local statement="$1" auth="${2:-admin}" code
  printf '%s' "$statement" > "$tmp/q"
  : > "$tmp/curlrc"
  if [ "$auth" = admin ]; then
    printf 'user = "%s:%s"\n' "$admin" "$admin_pw" > "$tmp/curlrc"
  fi
  code="$(curl -sS --max-time 10 -K "$tmp/curlrc" -o "$tmp/out" -w '%{http_code}' -XPOST "$url/query" \
          --data-urlencode "q@$tmp/q")" || fail "cannot reach InfluxDB at $url" 3
  REPLY_CODE="$code"
  REPLY_BODY="$(cat "$tmp/out")"
}
must() {
  query "$1"
  if [ "$REPLY_CODE" != 200 ] || [[ "$REPLY_BODY" == *'"error"'* ]]; then
    fail "InfluxDB refused '${2:-$1}': HTTP $REPLY_CODE $REPLY_BODY" 3
  fi
}

# 1. The admin: try it; if the server has no user yet (HTTP 403 "create admin user first"), create it.
query "SHOW USERS"
if [ "$REPLY_CODE" != 200 ]; then
  if [[ "$REPLY_BODY" == *"create admin user first"* ]]; then
    query "CREATE USER \"$admin\" WITH PASSWORD '$admin_pw' WITH ALL PRIVILEGES" none
    [ "$REPLY_CODE" = 200 ] && [[ "$REPLY_BODY" != *'"error"'* ]] \
      || fail "creating the admin user failed: HTTP $REPLY_CODE $REPLY_BODY" 3
  elif [[ "$REPLY_BODY" == *"authentication is disabled"* ]] || [[ "$REPLY_BODY" == *"auth"*"disabled"* ]]; then
    fail "the server runs without authentication (set auth-enabled = true in its [http] section)" 3
  else
    fail "the admin credentials are refused: HTTP $REPLY_CODE $REPLY_BODY" 3
  fi
fi
query "SHOW USERS"
[ "$REPLY_CODE" = 200 ] || fail "the admin credentials are refused: HTTP $REPLY_CODE $REPLY_BODY" 3
# A server that answers without credentials has authentication off: refuse to call that provisioned.
query "SHOW DATABASES" none
[ "$REPLY_CODE" != 200 ] || fail "the server answers queries without credentials (auth-enabled = false?)" 3

# 2. The database and its retention: autogen stays the default policy, with a finite duration.
must "CREATE DATABASE \"$db\""
must "ALTER RETENTION POLICY \"autogen\" ON \"$db\" DURATION $retention SHARD DURATION $shard DEFAULT" \
     "ALTER RETENTION POLICY autogen ON $db DURATION $retention"

# 3. Component users: created or their password set, then granted exactly their privilege.
component_user() {
  local user="$1" pw="$2" privilege="$3" label="$4"
  [ -n "$user" ] || return 0
  name_ok "$user" || fail "$label user name '$user' is not valid"
  password_ok "$pw" || fail "$label password must be 16-128 characters of [A-Za-z0-9._~+/=-]"
  [ "$user" != "$admin" ] || fail "$label user must not be the admin"
  query "CREATE USER \"$user\" WITH PASSWORD '$pw'"
  if [[ "$REPLY_BODY" == *"user already exists"* ]]; then
    must "SET PASSWORD FOR \"$user\" = '$pw'" "SET PASSWORD FOR $user"
  elif [ "$REPLY_CODE" != 200 ] || [[ "$REPLY_BODY" == *'"error"'* ]]; then
    fail "creating $label user $user failed: HTTP $REPLY_CODE $REPLY_BODY" 3
  fi
  must "REVOKE ALL PRIVILEGES ON \"$db\" FROM \"$user\""
  must "GRANT $privilege ON \"$db\" TO \"$user\""
}
component_user "${FW_INFLUX_JOBS_USER:-}" "${FW_INFLUX_JOBS_PASSWORD:-}" WRITE stream-jobs
component_user "${FW_INFLUX_DASHBOARD_USER:-}" "${FW_INFLUX_DASHBOARD_PASSWORD:-}" ALL dashboard-api

echo "influx-provision: $db provisioned at $url (retention $retention, authentication on)"
