# The server's lifecycle (sourced, not run): the temporary directory and its cleanup, the release
# binary, the benchmark database with its lead type and partner key, starting and stopping
# `dialler-server serve`, and the checks that the load's numbers are accepted.

SERVER_PID=""
SERVER_LOG=""
EXIT_HOOKS=()   # functions a stage registers with on_exit (its nginx, its hanging endpoint)
TARGET=""       # where wrk sends its load: the server unless a stage says otherwise (see run_wrk)

# on_exit FUNCTION: also run FUNCTION when the benchmark ends, however it ends.
on_exit() { EXIT_HOOKS+=("$1"); }

cleanup() {
    local status=$? hook
    trap - EXIT INT TERM
    stop_server quiet || true
    for hook in "${EXIT_HOOKS[@]}"; do "$hook" || true; done
    results_abandoned "$status"
    rm -rf "$TMP"
    exit "$status"
}

# make_scratch: the temporary directory TMP, deleted on exit with the server always stopped.
make_scratch() {
    # The server reads DIALLER_* variables as option defaults (rate limit, metrics key, ...): drop
    # them so the benchmark measures the documented defaults plus the options given below.
    while read -r name; do unset "$name"; done < <(compgen -e | grep '^DIALLER_' || true)
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/intake-bench.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# find_server: BIN, the release binary: SERVER_BIN, else built into SCRATCH (unless BUILD=0).
find_server() {
    if [[ -n ${SERVER_BIN:-} ]]; then
        BIN=$SERVER_BIN
    elif ((BUILD)); then
        echo "building the release binary in ${SCRATCH#"$REPO"/} (several minutes the first time)..."
        if ! (cd "$REPO" && swift build -c release --product dialler-server --scratch-path "$SCRATCH") >"$TMP/build.log" 2>&1; then
            tail -n 40 "$TMP/build.log" >&2
            echo "release build failed" >&2
            exit 1
        fi
        BIN="$SCRATCH/release/dialler-server"
    else
        BIN="$SCRATCH/release/dialler-server"
    fi
    [[ -x $BIN ]] || { echo "no server binary at $BIN (run without --no-build)" >&2; exit 1; }
    # The key that seals partners' webhook secrets: the webhook stage's `partners webhook` and every
    # server read it (a server with an endpoint does not start without it).
    "$BIN" secrets init --to "$TMP/secrets.key" --db "$TMP/no-database.sqlite" >/dev/null
    export DIALLER_SECRETS_KEY_FILE="$TMP/secrets.key"
}

# sqlite3 on the benchmark database; waits for locks instead of failing (the server may be running).
sql() { sqlite3 -batch -bail -cmd '.timeout 10000' "$DB" "$@"; }

lead_count() { sql 'SELECT count(*) FROM leads;'; }

# Waits until the leads count stops moving (requests still in flight when wrk stopped get committed
# after it exits), then prints it.
settled_lead_count() {
    local previous current tries=0
    previous=$(lead_count)
    while ((tries < 50)); do
        sleep 0.2
        current=$(lead_count)
        [[ $current == "$previous" ]] && break
        previous=$current
        tries=$((tries + 1))
    done
    echo "$previous"
}

# start_server LABEL [serve options...]: starts `serve` on a free port and waits for /healthz.
start_server() {
    local label=$1; shift
    local attempt
    for attempt in 1 2 3; do
        PORT=$(free_port)
        SERVER_LOG="$TMP/server-$label.log"
        SERVER_LABEL=$label
        ${SERVER_PRELOAD:+env LD_PRELOAD=$SERVER_PRELOAD FSYNC_DELAY_MS=$FSYNC_DELAY_MS} \
        "$BIN" serve --db "$DB" --migrations "$MIGRATIONS" --host 127.0.0.1 --port "$PORT" \
            --log-level warning "$@" >/dev/null 2>"$SERVER_LOG" &
        SERVER_PID=$!
        local waited=0
        while ((waited < 300)); do
            if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
            if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then return 0; fi
            sleep 0.1
            waited=$((waited + 1))
        done
        echo "server ($label) did not come up on port $PORT (attempt $attempt):" >&2
        sed -n '1,20p' "$SERVER_LOG" >&2
        stop_server quiet || true
    done
    exit 1
}

# Stops the server (SIGTERM, then SIGKILL after 15 s) and reports anything it logged: at
# --log-level warning every line is a warning or an error worth reading.
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    local pid=$SERVER_PID waited=0
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < 150)); do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        echo "server did not stop within 15 s of SIGTERM; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    if [[ ${1:-} != quiet && -s $SERVER_LOG ]]; then
        local lines
        lines=$(wc -l <"$SERVER_LOG")
        echo "  server log ($SERVER_LABEL): $lines warning/error line(s), first ones:"
        sed -n '1,5p' "$SERVER_LOG" | cut -c1-300 | sed 's/^/    /'
        { echo "$SERVER_LABEL: $lines line(s)"; sed -n '1,5p' "$SERVER_LOG" | cut -c1-300 | sed 's/^/    /'; } >>"$ISSUES"
    fi
}

# set_up_database: a fresh database MAIN_DB (DB) with lead type motor-trade and partner bench's
# KEY, and EMPTY_TEMPLATE, a copy of it as set up, before any lead, that stages start from.
set_up_database() {
    DB="$TMP/bench.sqlite"
    MAIN_DB=$DB
    echo "setting up a fresh database in $TMP"
    "$BIN" migrate --db "$DB" --migrations "$MIGRATIONS" >"$TMP/setup.log" 2>&1 || { cat "$TMP/setup.log" >&2; exit 1; }
    sql "INSERT INTO lead_types(name) VALUES ('motor-trade');"
    KEY_OUTPUT=$("$BIN" keys create --partner bench --db "$DB" --migrations "$MIGRATIONS" 2>>"$TMP/setup.log")
    KEY=${KEY_OUTPUT%%$'\n'*}   # the key is alone on the first line of standard output
    [[ -n $KEY ]] || { echo "keys create printed no key" >&2; cat "$TMP/setup.log" >&2; exit 1; }
    EMPTY_TEMPLATE="$TMP/empty-template.sqlite"
    sql 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
    cp "$DB" "$EMPTY_TEMPLATE"
}

post_lead() {
    curl -sS -X POST "http://127.0.0.1:$PORT/lead/add?key=$KEY" -H 'Content-Type: application/json' \
        -d "{\"first_name\":\"Bench\",\"surname\":\"Check\",\"mobile\":\"$1\",\"email\":\"check@example.com\",\"type\":\"motor-trade\"$2}" \
        -w ' %{http_code}'
}

# check_load_numbers: on the running server, the first and last possible mobiles of the Lua
# script must be valid (test mode writes nothing), and three real submissions, numbered as the
# script numbers them, must be processed. The load then starts after them (NEXT_BASE=3).
check_load_numbers() {
    local n mobile reply
    for n in 0 123456789 199999999 $((MAX_BASE - 1)); do
        mobile=$(printf '07%09d' $((100000000 + n)))
        reply=$(post_lead "$mobile" ',"test":true')
        [[ $reply == '{"test":"ok"} 200' ]] || { echo "mobile $mobile is not accepted: $reply" >&2; exit 1; }
    done
    for n in 0 1 2; do
        mobile=$(printf '07%09d' $((100000000 + n)))
        reply=$(post_lead "$mobile" '')
        [[ $reply == '{"saved":true,"processed":true} 200' ]] || { echo "lead $mobile not processed: $reply" >&2; exit 1; }
    done
    NEXT_BASE=3
    echo "checked: 07100000000 and 07399999999 are valid mobiles; three leads returned 200 {\"saved\":true,\"processed\":true}"
}
