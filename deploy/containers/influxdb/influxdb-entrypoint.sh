#!/bin/bash
# InfluxDB 1.x for Fleetwarden: serves the 1.x HTTP API on 8086 and creates the database
# (FW_INFLUX_DATABASE, default fleetwarden) once it answers.
set -euo pipefail
mkdir -p /var/lib/influxdb/meta /var/lib/influxdb/data /var/lib/influxdb/wal
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
  log-enabled = false
[ifql]
  enabled = false
[monitor]
  store-enabled = false
CONF
( for _ in $(seq 1 120); do
    if curl -fsS -XPOST http://127.0.0.1:8086/query --data-urlencode "q=CREATE DATABASE ${FW_INFLUX_DATABASE:-fleetwarden}" >/dev/null 2>&1; then
      touch /var/lib/influxdb/ready; exit 0
    fi
    sleep 0.5
  done ) &
exec influxd run -config /var/lib/influxdb/influxdb.conf
