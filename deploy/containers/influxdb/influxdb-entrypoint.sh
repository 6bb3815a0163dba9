#!/bin/bash
# InfluxDB 1.x for Fleetwarden: serves the 1.x HTTP API on 8086 with authentication on, then
# provisions it (influx-provision.sh: admin, database FW_INFLUX_DATABASE with FW_INFLUX_RETENTION,
# a WRITE-only user for stream-jobs, a user for the dashboard) and marks the container ready.
# Fails closed: without FW_INFLUX_ADMIN_USER / FW_INFLUX_ADMIN_PASSWORD it refuses to start.
set -euo pipefail
if [ -z "${FW_INFLUX_ADMIN_USER:-}" ] || [ -z "${FW_INFLUX_ADMIN_PASSWORD:-}" ]; then
  echo "fleetwarden-influxdb: FW_INFLUX_ADMIN_USER and FW_INFLUX_ADMIN_PASSWORD are required (authentication is always on);" \
       "set FW_INFLUX_JOBS_USER/_PASSWORD and FW_INFLUX_DASHBOARD_USER/_PASSWORD for the components" >&2
  exit 2
fi
mkdir -p /var/lib/influxdb/meta /var/lib/influxdb/data /var/lib/influxdb/wal
rm -f /var/lib/influxdb/ready
cat > /var/lib/influxdb/influxdb.conf <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:8088"
[meta]
  dir = "/var/lib/influxdb/meta"
[data]
  dir = "/var/lib/influxdb/data"
  wal-dir = "/var/lib/influxdb/wal"
  query-log-enabled = false
[http]
  bind-address = ":8086"
  auth-enabled = true
  log-enabled = false
[ifql]
  enabled = false
[monitor]
  store-enabled = false
CONF
( for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null http://127.0.0.1:8086/ping 2>/dev/null; then
      if FW_INFLUX_URL=http://127.0.0.1:8086 /usr/local/bin/influx-provision; then
        touch /var/lib/influxdb/ready; exit 0
      fi
      echo "fleetwarden-influxdb: provisioning failed; the container stays unready" >&2
      exit 1
    fi
    sleep 0.5
  done ) &
exec influxd run -config /var/lib/influxdb/influxdb.conf
