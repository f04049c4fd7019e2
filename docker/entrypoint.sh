#!/bin/sh
# Entry point of the SparkBot image: runs the command it is given (CMD, or compose's `command`).
# One exception, for `docker compose --profile local up`: when no Webex token is configured and
# SPARKBOT_LOCAL_WEBEX names the local profile's emulator, docker/local-webex.mjs waits for that
# emulator and points the service at it (or stops with one line saying what to set).
set -e
if [ -z "${WEBEX_ACCESS_TOKEN}${SPARK_ACCESS_TOKEN}" ] && [ -n "${SPARKBOT_LOCAL_WEBEX}" ]; then
  settings="$(node /app/docker/local-webex.mjs)"
  eval "$settings"
fi
exec "$@"
