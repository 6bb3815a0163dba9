#!/usr/bin/env bash
# The container test tier on a fresh Debian 12 machine (run as root):
#   1. installs podman and what it needs (the list FW_CONTAINER_TIER_TOOLS in deploy/ci/tools.sh: podman,
#      runc, uidmap, slirp4netns, netavark, aardvark-dns, iptables, mmdebstrap, unzip) and fails naming
#      the package if any of them is still missing
#   2. configures podman as this machine needs it (/etc/containers/containers.conf: no default ulimits,
#      runc, netavark) and serves its Docker-compatible API on a private socket for Testcontainers
#   3. builds the local base image (mmdebstrap + podman import) unless it exists, then the images
#   4. runs ./mvnw -B -pl deploy -am verify -Pcontainers (the *ContainersIT tests)
# Settings: FW_BASE_IMAGE (default localhost/fleetwarden-base:bookworm; a public JRE image also works
# where a registry is reachable), FW_CONTAINERS_KEEP_SERVICE=1 leaves the podman API service running.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
step() { echo "containers: [$(( $(date +%s) - t0 ))s] $*"; }

# shellcheck source=deploy/ci/tools.sh
. deploy/ci/tools.sh
step "checking the tools of the container tier"
fw_ensure_tools containers "${FW_CONTAINER_TIER_TOOLS[@]}"

# crun fails on setrlimit on these machines; containers reach each other by name only with netavark.
mkdir -p /etc/containers
if ! grep -q 'runtime = "runc"' /etc/containers/containers.conf 2>/dev/null; then
  step "writing /etc/containers/containers.conf"
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n\n[network]\nnetwork_backend = "netavark"\n' \
    > /etc/containers/containers.conf
fi

export FW_BASE_IMAGE="${FW_BASE_IMAGE:-localhost/fleetwarden-base:bookworm}"
if [[ "$FW_BASE_IMAGE" == localhost/* ]] && ! podman image exists "$FW_BASE_IMAGE"; then
  step "building the base image $FW_BASE_IMAGE"
  deploy/containers/build-base.sh "$FW_BASE_IMAGE"
fi
step "building the images"
deploy/containers/build-images.sh

sock_dir="$(mktemp -d /tmp/fleetwarden-podman.XXXXXX)"
podman system service --time=0 "unix://$sock_dir/podman.sock" >"$sock_dir/service.log" 2>&1 &
service_pid=$!
stop_service() {
  if [ "${FW_CONTAINERS_KEEP_SERVICE:-0}" != 1 ]; then
    kill "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
    rm -rf "$sock_dir"
  fi
}
trap stop_service EXIT
for _ in $(seq 1 50); do [ -S "$sock_dir/podman.sock" ] && break; sleep 0.2; done
export DOCKER_HOST="unix://$sock_dir/podman.sock"
export TESTCONTAINERS_RYUK_DISABLED=true        # Ryuk needs a privileged socket mount podman does not give
export TESTCONTAINERS_HOST_OVERRIDE=localhost

step "running the container tier"
# unit tests and the other ITs run in the main ./mvnw -B verify; here only the container tier
./mvnw -B -pl deploy -am verify -Pcontainers -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='*ContainersIT' -Dfailsafe.failIfNoSpecifiedTests=false
step "done"
