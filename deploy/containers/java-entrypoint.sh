#!/bin/sh
# Entry point of every Fleetwarden Java image: the main class comes from the image (FW_MAIN_CLASS),
# heap and GC from JAVA_OPTS, the arguments from the container command.
set -e
# shellcheck disable=SC2086
exec java ${JAVA_OPTS} -cp "/opt/fleetwarden/lib/*" "${FW_MAIN_CLASS:?FW_MAIN_CLASS is not set}" "$@"
