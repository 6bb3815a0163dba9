# shellcheck shell=bash
# What the two test tiers run, and the Debian 12 package each comes from. Sourced by .ci/run (main
# tier) and deploy/ci/containers.sh (container tier); one list per tier, so a test that starts a new
# program adds it here and both the install and the check follow.
#
# An entry is <command>:<package>. A command with a slash is a file that must be executable
# (helpers outside PATH, such as podman's network backend).

# ./mvnw -B verify: the JDK (mvnw, javap and keytool in the local runner and dev PKI), mvnw's
# download, the services the ITs start as real processes, the browser test, the local runner's
# tools, promtool for the alert rules.
# shellcheck disable=SC2034
FW_MAIN_TIER_TOOLS=(
  java:openjdk-17-jdk-headless javac:openjdk-17-jdk-headless javap:openjdk-17-jdk-headless
  keytool:openjdk-17-jdk-headless
  /etc/ssl/certs/ca-certificates.crt:ca-certificates curl:curl
  influxd:influxdb
  mosquitto_pub:mosquitto-clients mosquitto_sub:mosquitto-clients
  openssl:openssl
  chromium:chromium chromedriver:chromium-driver
  unzip:unzip ss:iproute2 setsid:util-linux awk:mawk
  promtool:prometheus
)

# deploy/ci/containers.sh: podman with runc (crun fails here), its rootless helpers, netavark and
# aardvark-dns (containers reach each other by name), iptables (netavark needs it; without it image
# builds fail with "netavark: No such file or directory"), mmdebstrap for the base image, unzip for
# staging the extension.
# shellcheck disable=SC2034
FW_CONTAINER_TIER_TOOLS=(
  podman:podman runc:runc newuidmap:uidmap slirp4netns:slirp4netns
  /usr/lib/podman/netavark:netavark /usr/lib/podman/aardvark-dns:aardvark-dns
  iptables:iptables
  mmdebstrap:mmdebstrap unzip:unzip
)

# fw_has TOOL: whether a command (also in the sbin folders, which a non-root PATH may lack) or an
# executable file exists.
fw_has() {
  local tool="$1"
  case "$tool" in
    */*) [ -e "$tool" ] ;;
    *) command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || [ -x "/sbin/$tool" ] ;;
  esac
}

# fw_missing_packages ENTRY...: prints the packages of absent tools, one per line, without repeats.
fw_missing_packages() {
  local entry
  for entry in "$@"; do
    fw_has "${entry%%:*}" || echo "${entry##*:}"
  done | awk '!seen[$0]++'
}

# fw_ensure_tools LABEL ENTRY...: installs the packages of absent tools (apt-get, as root), then
# checks every tool again and fails, naming each missing tool and its package, if any is still absent.
fw_ensure_tools() {
  local label="$1"; shift
  local packages=() entry missing=()
  mapfile -t packages < <(fw_missing_packages "$@")
  if [ "${#packages[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "$label: missing packages ${packages[*]}; install them (Debian: sudo apt-get install --no-install-recommends ${packages[*]}) or run this as root" >&2
      return 1
    fi
    echo "$label: installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null \
      || { echo "$label: apt-get install ${packages[*]} failed" >&2; return 1; }
  fi
  for entry in "$@"; do
    fw_has "${entry%%:*}" || missing+=("${entry%%:*} (package ${entry##*:})")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "$label: still missing after the install step: ${missing[*]}" >&2
    return 1
  fi
}
