# Locations and the settings every stage shares, read from the environment and checked before
# anything is measured (sourced, not run). Each stage reads and checks its own settings in its
# STAGE_settings function (stages/*).

# --- Locations (relative to this library, never hard-coded) ------------------------------------

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # Benchmarks/intake
REPO=$(cd "$HERE/../.." && pwd)
SCRATCH="$REPO/.build-release"   # never the default .build: others build there concurrently
MIGRATIONS="$REPO/Migrations"
LUA="$HERE/intake.lua"
RESULTS_DIR="$REPO/Benchmarks/results"
BASELINE_CONNS=64   # healthz, max-batch 1 and every paired optional stage run at 64 connections

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# common_settings: DURATION, RUNS and BATCH_SIZE (every wrk run passes it to intake.lua), and the
# tools every stage needs.
common_settings() {
    DURATION=${DURATION:-10s}
    [[ $DURATION =~ ^[0-9]+$ ]] && DURATION="${DURATION}s"
    RUNS=${RUNS:-3}
    BATCH_SIZE=${BATCH_SIZE:-100}
    SERVER_PRELOAD=""   # the slow-fsync shim while a slow-storage run's server is started
    [[ $DURATION =~ ^[1-9][0-9]*[smh]$ ]] || { echo "DURATION must look like 10s, 2m or 10" >&2; exit 2; }
    is_uint "$RUNS" && ((RUNS >= 1)) || { echo "RUNS must be a whole number >= 1" >&2; exit 2; }
    for tool in wrk sqlite3 curl python3; do
        command -v "$tool" >/dev/null || { echo "needs $tool on PATH" >&2; exit 1; }
    done
}
