#!/usr/bin/env bash
# Builds the Fleetwarden images with podman (or docker: FW_CONTAINER_CLI=docker).
#
#   deploy/containers/build-images.sh [part ...]     parts: kafka influxdb broker stream-jobs dashboard-api simulator
#
# Settings (environment):
#   FW_BASE_IMAGE       base of every image. Default: the public images named in each Containerfile
#                       (eclipse-temurin:17-jre, debian:bookworm-slim). On machines without a registry
#                       build a local base first (deploy/containers/build-base.sh) and pass
#                       FW_BASE_IMAGE=localhost/fleetwarden-base:bookworm.
#   FW_IMAGE_REGISTRY   image name prefix (default localhost/fleetwarden), FW_IMAGE_TAG (default the version)
#   FW_CONTAINER_CLI    podman (default) or docker
#
# Each image is built from a staging folder deploy/target/images/<part>/ holding exactly the jars
# the part needs (its module jar and resolved Maven classpath), so images never see ~/.m2.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../bin/fleetwarden-local
. "$here/../bin/fleetwarden-local"
cli="${FW_CONTAINER_CLI:-podman}"
stage_root="$DEPLOY/target/images"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(kafka influxdb broker stream-jobs dashboard-api simulator)

# stage_classpath MODULE DIR: copies the module jar and its resolved dependency jars into DIR/lib.
stage_classpath() {
  local module="$1" dir="$2" cp entry
  cp="$(module_classpath "$module")" || die "$module is not built"
  mkdir -p "$dir/lib"
  for entry in ${cp//:/ }; do
    # Sibling modules appear as target/classes in the compile classpath; their jars are there too.
    [ -f "$entry" ] || continue
    cp -p "$entry" "$dir/lib/"
  done
}

# stage_sbom MODULE DIR: copies the module's CycloneDX SBOM (written by the Maven build beside its jar)
# into DIR/sbom; every image carries the SBOM of the Java content it ships in /opt/fleetwarden/sbom/.
stage_sbom() {
  local module="$1" dir="$2" jar sbom
  jar="$(module_jar "$module")" || die "$module is not built"
  sbom="${jar%.jar}.cdx.json"
  [ -f "$sbom" ] || die "$module: no SBOM at $sbom (the Maven package phase writes it; the CycloneDX plugin skips offline builds)"
  mkdir -p "$dir/sbom"
  cp -p "$sbom" "$dir/sbom/"
}

# build_image PART IMAGE [--build-arg ...]: builds deploy/containers/PART/Containerfile from the staging folder.
build_image() {
  local part="$1" image="$2"; shift 2
  local args=(build --format docker -q -f "$here/$part/Containerfile" -t "$FW_IMAGE_REGISTRY/$image:$FW_IMAGE_TAG")
  [ -n "${FW_BASE_IMAGE:-}" ] && args+=(--build-arg "BASE_IMAGE=$FW_BASE_IMAGE")
  local t0
  t0=$(date +%s)
  "$cli" "${args[@]}" "$@" "$stage_root/$part" >/dev/null
  ok "image $FW_IMAGE_REGISTRY/$image:$FW_IMAGE_TAG built in $(( $(date +%s) - t0 )) s"
}

# java_image PART MODULE MAIN IMAGE: stages and builds a Java part; refuses when its main class does not exist.
java_image() {
  local part="$1" module="$2" main="$3" image="$4" dir="$stage_root/$1"
  if ! has_class "$module" "$main"; then
    die "$part: entry point $main not found in $module (not built or not written yet); cannot build its image"
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  stage_classpath "$module" "$dir"
  stage_sbom "$module" "$dir"
  cp "$here/java-entrypoint.sh" "$dir/"
  if [ "$part" = broker ]; then
    cp "$here/broker/broker-entrypoint.sh" "$dir/"
    mkdir -p "$dir/extensions"
    unzip -q -o "$(ls -t "$REPO"/broker-extension/target/*.zip | head -1)" -d "$dir/extensions"
    # the extension zip's own SBOM (without what HiveMQ provides) beside the launcher's
    cp -p "$REPO/broker-extension/target/$(basename "$(module_jar "$module")" .jar)-hivemq-extension.cdx.json" "$dir/sbom/" \
      || die "broker: the extension zip's SBOM is missing in broker-extension/target"
  fi
  build_image "$part" "$image" --build-arg "MAIN_CLASS=$main"
}

command -v "$cli" >/dev/null || die "$cli is not installed (Debian: apt-get install podman)"
build kafka broker stream-jobs dashboard-api simulator
for part in "${parts[@]}"; do
  case "$part" in
    kafka)
      rm -rf "$stage_root/kafka"; mkdir -p "$stage_root/kafka/lib"
      cp -a "$DEPLOY/target/kafka-libs" "$stage_root/kafka/kafka-libs"
      cp -p "$(module_jar deploy)" "$DEPLOY"/target/lib/*.jar "$stage_root/kafka/lib/"
      cp "$here/kafka/kafka-entrypoint.sh" "$stage_root/kafka/"
      stage_sbom deploy "$stage_root/kafka"
      build_image kafka "$FW_KAFKA_IMAGE" ;;
    influxdb)
      rm -rf "$stage_root/influxdb"; mkdir -p "$stage_root/influxdb"
      cp "$here/influxdb/influxdb-entrypoint.sh" "$here/influxdb/influx-provision.sh" "$stage_root/influxdb/"
      build_image influxdb "$FW_INFLUXDB_IMAGE" ;;
    broker)        java_image broker "$FW_BROKER_MODULE" "$FW_BROKER_MAIN" "$FW_BROKER_IMAGE" ;;
    stream-jobs)   java_image stream-jobs "$FW_STREAM_MODULE" "$FW_STREAM_MAIN" "$FW_STREAM_IMAGE" ;;
    dashboard-api) java_image dashboard-api "$FW_DASHBOARD_MODULE" "$FW_DASHBOARD_MAIN" "$FW_DASHBOARD_IMAGE" ;;
    simulator)     java_image simulator "$FW_SIMULATOR_MODULE" "$FW_SIMULATOR_MAIN" "$FW_SIMULATOR_IMAGE" ;;
    *) die "unknown part '$part'" ;;
  esac
done
