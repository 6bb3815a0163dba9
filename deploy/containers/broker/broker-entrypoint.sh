#!/bin/bash
# Broker container entry point: writes the launcher's broker.properties from the mounted PKI and the
# environment, then runs io.fleetwarden.broker.launcher.FleetwardenBroker with it.
# Mounted (layout of deploy/bin/dev-pki.sh; never the CA key):
#   /etc/fleetwarden/pki/broker/broker-keystore.p12, /etc/fleetwarden/pki/broker/truststore.p12,
#   /etc/fleetwarden/pki/broker/keystore.password (or FW_KEYSTORE_PASSWORD_FILE), /etc/fleetwarden/pki/ca/fleet-ca.crt
# Environment: FW_KAFKA_BOOTSTRAP (kafka:9092), FW_BROKER_ID (the host name), FW_MQTT_PORT (8883),
#   JAVA_OPTS (heap and -Dfleetwarden.<key>=value overrides of the extension's config.xml).
set -euo pipefail
pki=/etc/fleetwarden/pki
password_file="${FW_KEYSTORE_PASSWORD_FILE:-$pki/broker/keystore.password}"
[ -r "$password_file" ] || { echo "broker: keystore password file $password_file is not readable" >&2; exit 2; }
password="$(tr -d '\n' < "$password_file")"
# HiveMQ marks an extension that failed to start (e.g. Kafka not up yet) with a DISABLED file and
# skips it from then on; a restarted container must try it again (the launcher still fails closed).
find /opt/fleetwarden/extensions -mindepth 2 -maxdepth 2 -name DISABLED -delete 2>/dev/null || true
props=/var/lib/fleetwarden/broker.properties
umask 077
cat > "$props" <<EOF
listener.port=${FW_MQTT_PORT:-8883}
listener.bind-address=0.0.0.0
tls.keystore.path=$pki/broker/broker-keystore.p12
tls.keystore.password=$password
tls.truststore.path=$pki/broker/truststore.p12
tls.truststore.password=$password
tls.client-validation=extension
kafka.bootstrap-servers=${FW_KAFKA_BOOTSTRAP:-kafka:9092}
broker.id=${FW_BROKER_ID:-${HOSTNAME:-broker}}
extensions.folder=/opt/fleetwarden/extensions
data.folder=/var/lib/fleetwarden/data
EOF
# shellcheck disable=SC2086
exec java ${JAVA_OPTS} -cp "/opt/fleetwarden/lib/*" "${FW_MAIN_CLASS:?FW_MAIN_CLASS is not set}" "$props"
