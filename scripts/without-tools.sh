#!/usr/bin/env bash
# Runs a command on "a machine without" some system programs: in a private mount namespace,
# each named program is removed from view (an overlay with a whiteout over its directory), so
# that for the command and its children the file does not exist. Nothing changes outside the
# command. With SPARKBOT_NO_APT=1, so that setup does not install them again. Needs root.
#
#   scripts/without-tools.sh promtool prometheus nginx chromium -- npm test
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "without-tools: needs root (unshare, mount)" >&2; exit 2; }

if [ -z "${SPARKBOT_HIDDEN_TOOLS_DONE:-}" ]; then
  export SPARKBOT_HIDDEN_TOOLS_DONE=1
  exec unshare -m --propagation private "$0" "$@"
fi

tools=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do tools+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 TOOL... -- COMMAND..." >&2; exit 2; }

layers=$(mktemp -d /tmp/sparkbot-without-tools.XXXXXX)
# Every PATH directory (resolved) holding one of the tools gets one overlay with its whiteouts.
declare -A layer_of=()
IFS=: read -r -a path_dirs <<<"$PATH"
for tool in "${tools[@]}"; do
  for dir in "${path_dirs[@]}"; do
    [ -n "$dir" ] && [ -e "$dir/$tool" ] || continue
    real=$(readlink -f "$dir")
    layer=${layer_of[$real]:-$layers/$(echo "$real" | tr / _)}
    layer_of[$real]=$layer
    mkdir -p "$layer"
    [ -e "$layer/$tool" ] || mknod "$layer/$tool" c 0 0
  done
done
for real in "${!layer_of[@]}"; do
  mount -t overlay overlay -o "lowerdir=${layer_of[$real]}:$real" "$real"
  echo "[without-tools] $real: hidden $(ls "${layer_of[$real]}" | tr '\n' ' ')" >&2
done
hash -r
for tool in "${tools[@]}"; do
  if found=$(command -v "$tool"); then
    echo "[without-tools] $tool is still visible at $found" >&2
    exit 1
  fi
done

export SPARKBOT_NO_APT=1
unset SPARKBOT_HIDDEN_TOOLS_DONE
exec "$@"
