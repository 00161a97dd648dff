# The driver every entry point shares (sourced, not run): `run` and each stages/* script call
# bench_main. It reads the settings, sets up once (binary, database, key, server, the load's
# numbers checked, the results file's header), runs the stages in one process, so they share the
# database, the next unused mobile and the records, and ends with the summary.
set -euo pipefail

LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR
source "$LIB/basics.sh"
source "$LIB/settings.sh"
source "$LIB/server.sh"
source "$LIB/measure.sh"
source "$LIB/summary.sh"

# Every stage, in the order `run` runs those its environment switches on (levels always; it does
# nothing with LEVELS="" BASELINES=0). A stage NAME lives in stages/NAME and defines
# NAME_settings (read and check its settings) and NAME_stage (measure, then append its block to
# the results file), with - in NAME written _ .
STAGES=(levels partners promotion growth suppression live-import webhooks line-types edge slow-fsync)

# usage FILE: the comment block at the top of FILE, below its #! line.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1"; }

stage_known() { local s; for s in "${STAGES[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }

# stage_selected NAME: whether this run includes stage NAME.
stage_selected() { local s; for s in "${SELECTED_STAGES[@]}"; do [[ $s == "$1" ]] && return 0; done; return 1; }

# The stage's functions, sourced from its file unless already defined (by the stage run alone).
load_stage() {
    local function=${1//-/_}
    # shellcheck source=/dev/null
    declare -F "${function}_stage" >/dev/null || source "$HERE/stages/$1"
}

# bench_main [--no-build] [-h|--help] [STAGE...]: the named stages, or with none the default
# selection: levels, then each optional stage whose variable is 1 (PARTNERS=1, LIVE_IMPORT=1, ...).
bench_main() {
    local arg help=0 name
    local -a names=()
    BUILD=1
    for arg in "$@"; do
        case "$arg" in
            --no-build) BUILD=0 ;;
            -h|--help) help=1 ;;
            -*) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
            *) stage_known "$arg" || { echo "unknown stage: $arg (the stages: ${STAGES[*]})" >&2; exit 2; }; names+=("$arg") ;;
        esac
    done
    if ((help)); then
        if ((${#names[@]} == 0)); then usage "$HERE/run"; fi
        for name in "${names[@]}"; do usage "$HERE/stages/$name"; done
        exit 0
    fi
    if ((${#names[@]} == 0)); then
        names=(levels)
        for name in "${STAGES[@]:1}"; do
            local switch=${name//-/_}
            switch=${switch^^}
            [[ ${!switch:-0} == 1 ]] && names+=("$name")
        done
    fi
    SELECTED_STAGES=("${names[@]}")

    common_settings
    for name in "${names[@]}"; do
        load_stage "$name"
        "${name//-/_}_settings"
    done

    make_scratch
    find_server
    init_records
    set_up_database
    start_server main
    echo "server pid $SERVER_PID on 127.0.0.1:$PORT; wrk threads = min(2, connections); DURATION=$DURATION RUNS=$RUNS"
    check_load_numbers
    reset_peak "$SERVER_PID"   # PEAK_SCOPE, for the results file's header
    results_begin

    # Each stage starts on the main database, with the server as the previous stage left it: the
    # levels stage uses the one started above; the others start their own, so it stops first.
    for name in "${names[@]}"; do
        DB=$MAIN_DB
        TARGET=""
        [[ $name == levels ]] || stop_server
        "${name//-/_}_stage"
    done
    stop_server
    results_finish
}

# bench_stage NAME [--no-build] [-h|--help]: stage NAME alone, the entry point of its script.
bench_stage() {
    local name=$1 arg
    shift
    for arg in "$@"; do
        [[ $arg == -* ]] || { echo "unknown argument: $arg (try --help; several stages: Benchmarks/intake/run STAGE...)" >&2; exit 2; }
    done
    bench_main "$@" "$name"
}
