#!/usr/bin/env bash
# Runs the whole test suite, as CI does (.ci/run calls this).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet test Orleans.sln -c Release --logger "console;verbosity=normal" "$@"
