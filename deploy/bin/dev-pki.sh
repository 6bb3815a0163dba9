#!/usr/bin/env bash
# Development PKI for a local or container run: a fleet CA, the broker's TLS server keystore and a
# truststore with the fleet CA. Generated once into a folder and reused; never committed.
#
#   deploy/bin/dev-pki.sh DIR [extra-SAN ...]     e.g. dev-pki.sh .fleetwarden/pki DNS:broker
#
# Layout (all keys EC P-256, certificates SHA-256):
#   DIR/ca/fleet-ca.crt            fleet CA certificate (PEM)   - the broker trusts it
#   DIR/ca/fleet-ca.key            fleet CA private key (PKCS#8 PEM, 0600) - the simulator issues device certificates with it
#   DIR/broker/broker.crt|.key     broker server certificate (SAN localhost, 127.0.0.1, broker + extras) and key
#   DIR/broker/broker-keystore.p12 PKCS#12 with the broker key and chain
#   DIR/broker/truststore.p12      PKCS#12 with the fleet CA as a trusted certificate
#   DIR/broker/keystore.password   random password of both stores (0600); DIR/broker is all a broker needs
#   DIR/simulator/ca.{crt,key}.pem the fleet simulator's PKI folder (same CA; device credentials are added there)
#   DIR/devices/<tenant>/<id>.crt|.key  device certificates (chain) and keys for FW_PKI_DEVICES, see below
# FW_PKI_OWNER=uid[:gid] chowns the result (the images run as uid 10001).
# FW_PKI_DEVICES="tenant/id ..." also issues those device certificates (for mosquitto_pub or your own
# devices), through the fleet simulator's 'pki device' command, so the device profile (CN=<id>, O=<tenant>,
# SAN urn:device:<tenant>:<id>, client id <tenant>/<id>) is defined once, in event-model's DeviceIdentities.
# The command comes from FW_PKI_CLI_JAR (default: the simulator's runnable jar in fleet-simulator/target;
# build it with ./mvnw -B -pl fleet-simulator -am package -DskipTests).
# A development CA only: bring your own CA and certificates in production (deploy/README.md).
set -euo pipefail
dir="${1:?usage: dev-pki.sh DIR [extra-SAN ...]}"
shift
extra_sans=("$@")

# issue_devices: device certificates for FW_PKI_DEVICES from the fleet CA in DIR/simulator.
issue_devices() {
  [ -n "${FW_PKI_DEVICES:-}" ] || return 0
  local jar="${FW_PKI_CLI_JAR:-}" spec
  if [ -z "$jar" ]; then
    local repo
    repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    jar="$(ls "$repo"/fleet-simulator/target/fleet-simulator-*-cli.jar 2>/dev/null | head -n 1 || true)"
  fi
  [ -n "$jar" ] && [ -s "$jar" ] || { echo "dev-pki: FW_PKI_DEVICES needs the simulator's runnable jar; build it with ./mvnw -B -pl fleet-simulator -am package -DskipTests or set FW_PKI_CLI_JAR" >&2; exit 1; }
  for spec in $FW_PKI_DEVICES; do
    case "$spec" in
      */*) ;;
      *) echo "dev-pki: device '$spec' is not tenant/id" >&2; exit 1 ;;
    esac
    java -jar "$jar" pki device --ca-dir "$dir/simulator" --tenant "${spec%%/*}" --id "${spec#*/}" --out "$dir/devices" >/dev/null \
      || { echo "dev-pki: issuing a device certificate for '$spec' failed" >&2; exit 1; }
  done
}

if [ -s "$dir/broker/broker-keystore.p12" ] && [ -s "$dir/broker/truststore.p12" ] && [ -s "$dir/simulator/ca.key.pem" ]; then
  issue_devices
  if [ -n "${FW_PKI_OWNER:-}" ]; then chown -R "$FW_PKI_OWNER" "$dir"; fi
  exit 0
fi
command -v openssl >/dev/null || { echo "dev-pki: openssl is missing (Debian: apt-get install openssl)" >&2; exit 1; }
command -v keytool >/dev/null || { echo "dev-pki: keytool is missing (it comes with the JDK)" >&2; exit 1; }

umask 077
mkdir -p "$dir/ca" "$dir/broker"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ ! -s "$dir/ca/fleet-ca.key" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca/fleet-ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/ca/fleet-ca.key" -sha256 -days 3650 \
    -subj "/O=Fleetwarden development/CN=Fleetwarden dev fleet CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca/fleet-ca.crt"
fi

sans="DNS:localhost,IP:127.0.0.1,DNS:broker,DNS:fleetwarden-broker"
for s in "${extra_sans[@]}"; do sans="$sans,$s"; done
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/broker/broker.key" 2>/dev/null
openssl req -new -key "$dir/broker/broker.key" -subj "/O=Fleetwarden development/CN=fleetwarden-broker" \
  -out "$tmp/broker.csr"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
  "$sans" > "$tmp/ext.cnf"
openssl x509 -req -in "$tmp/broker.csr" -CA "$dir/ca/fleet-ca.crt" -CAkey "$dir/ca/fleet-ca.key" \
  -CAcreateserial -CAserial "$tmp/ca.srl" -days 825 -sha256 -extfile "$tmp/ext.cnf" \
  -out "$dir/broker/broker.crt" 2>/dev/null

[ -s "$dir/broker/keystore.password" ] || openssl rand -hex 24 > "$dir/broker/keystore.password"
password="$(cat "$dir/broker/keystore.password")"
cat "$dir/broker/broker.crt" "$dir/ca/fleet-ca.crt" > "$tmp/chain.pem"
rm -f "$dir/broker/broker-keystore.p12" "$dir/broker/truststore.p12"
openssl pkcs12 -export -name broker -inkey "$dir/broker/broker.key" -in "$tmp/chain.pem" \
  -passout "pass:$password" -out "$dir/broker/broker-keystore.p12"
keytool -importcert -noprompt -alias fleet-ca -file "$dir/ca/fleet-ca.crt" \
  -keystore "$dir/broker/truststore.p12" -storetype PKCS12 -storepass "$password" >/dev/null 2>&1
chmod 0644 "$dir/ca/fleet-ca.crt" "$dir/broker/broker.crt"
# The fleet simulator's PKI folder layout (it issues device certificates into it).
mkdir -p "$dir/simulator"
cp "$dir/ca/fleet-ca.crt" "$dir/simulator/ca.crt.pem"
cp "$dir/ca/fleet-ca.key" "$dir/simulator/ca.key.pem"
issue_devices
# Containers run as uid 10001: FW_PKI_OWNER=10001 hands the files to that user (compose bind mounts).
if [ -n "${FW_PKI_OWNER:-}" ]; then chown -R "$FW_PKI_OWNER" "$dir"; fi
echo "dev-pki: fleet CA and broker keystore written to $dir"
