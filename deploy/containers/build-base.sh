#!/usr/bin/env bash
# Builds the local base image for machines without a registry: a minimal Debian 12 root file
# system (mmdebstrap --variant=minbase) with a Java 17 JRE and InfluxDB 1.x, imported into podman.
# Every Containerfile takes its base as a build argument, so the same files build on a public JRE
# image where a registry is reachable.
#
#   deploy/containers/build-base.sh [image-name]     (default localhost/fleetwarden-base:bookworm)
#
# Needs root (mmdebstrap creates device nodes and ownerships) and the Debian packages mmdebstrap
# and podman. Takes about a minute or two, mostly downloading packages.
set -euo pipefail
image="${1:-${FLEETWARDEN_BASE_IMAGE:-localhost/fleetwarden-base:bookworm}}"
mirror="${FLEETWARDEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

start=$(date +%s)
echo "build-base: mmdebstrap bookworm (minbase + openjdk-17-jre-headless + influxdb) -> $work/rootfs.tar"
# apt lists are removed because the image is rebuilt rather than upgraded. (Excluding man pages
# with --dpkgopt path-exclude breaks the JRE's postinst, so they stay.)
mmdebstrap --variant=minbase --quiet \
  --include=openjdk-17-jre-headless,ca-certificates,influxdb,curl \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" "$mirror"
echo "build-base: podman import -> $image"
podman import \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  "$work/rootfs.tar" "$image" >/dev/null
echo "build-base: done in $(( $(date +%s) - start )) s: $(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
