# The summary (sourced, not run): table rows and ratios computed from RECORDS, and the results
# file Benchmarks/results/intake-<date>-<time>.txt, which each stage appends its block to as it
# finishes and which is printed whole at the end.

# column STAGE CONNS N: the Nth column of that stage's records (1-based, see measure_run).
column() { awk -F'\t' -v s="$1" -v c="$2" -v n="$3" '$1 == s && $2 == c { print $n }' "$RECORDS"; }

# The worst check over a stage's runs: MISMATCH beats INFLIGHT beats OK.
stage_check() {
    awk -F'\t' -v s="$1" -v c="$2" '$1 == s && $2 == c { if ($16 == "MISMATCH") m = 1; else if ($16 == "INFLIGHT") extra += $10 - $11 }
        END { print m ? "MISMATCH" : (extra ? "OK (+" extra " in flight at stop)" : "OK") }' "$RECORDS"
}

# One summary table row: medians over runs, and leads vs 200s summed over runs.
table_row() {
    local stage=$1 conns=$2
    local rps p50 p99 max cpu sys writer loops client peak leads n200
    rps=$(column "$stage" "$conns" 4 | median)
    p50=$(column "$stage" "$conns" 5 | median)
    p99=$(column "$stage" "$conns" 6 | median)
    max=$(column "$stage" "$conns" 7 | median)
    cpu=$(column "$stage" "$conns" 8 | median)
    sys=$(column "$stage" "$conns" 18 | median)
    writer=$(column "$stage" "$conns" 19 | median)
    loops=$(column "$stage" "$conns" 20 | median)
    client=$(column "$stage" "$conns" 21 | median)
    peak=$(column "$stage" "$conns" 9 | median)
    leads=$(column "$stage" "$conns" 10 | awk '{ n += $1 } END { print n + 0 }')
    n200=$(column "$stage" "$conns" 11 | awk '{ n += $1 } END { print n + 0 }')
    [[ $stage == healthz ]] && n200="- (no leads expected)"
    printf '%-16s %5s %9.0f %8.2f %8.2f %9.2f %11.1f %5.0f %7.1f %6.1f %6.1f %7.1f %12.1f   %s / %s %s\n' \
        "$(stage_name "$stage")" "$conns" "$rps" "$(ms "$p50")" "$(ms "$p99")" "$(ms "$max")" "$cpu" "$sys" "$writer" "$loops" \
        "$(awk -v a="$cpu" -v b="$writer" -v c="$loops" 'BEGIN { printf "%.1f", a - b - c }')" "$client" \
        "$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')" "$leads" "$n200" "$(stage_check "$stage" "$conns")"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

# paired_ratio A B [CONNS]: the median over runs of stage A's req/s ÷ stage B's in the same run
# (round), at CONNS connections (default the baseline's).
paired_ratio() {
    awk -F'\t' -v a="$1" -v b="$2" -v c="${3:-$BASELINE_CONNS}" '$2 == c && $1 == a { x[$3] = $4 } $2 == c && $1 == b { y[$3] = $4 }
        END { for (r in x) if ((r in y) && y[r] > 0) printf "%.4f\n", x[r] / y[r] }' "$RECORDS" | median | awk '{ printf "%.2f", $1 }'
}

# The tables' column headings, and the heading of the ratios at 64 connections below a table.
table_header() {
    echo "stage            conns     req/s   p50 ms   p99 ms    max ms  CPU µs/lead  sys%  writer  loops   rest  wrk µs peak RSS MiB   leads in db / 200s"
}
ratios_heading() { echo "ratios at $BASELINE_CONNS connections (req/s; within each baseline round, median over rounds):"; }

# results_begin: names RESULT_FILE and writes its header: the machine, the settings, the server.
# PEAK_SCOPE must be known (reset_peak on the running server).
results_begin() {
    local commit
    mkdir -p "$RESULTS_DIR"
    RESULT_FILE="$RESULTS_DIR/intake-$(date +%Y-%m-%d-%H%M%S).txt"
    commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
    [[ -n $(git -C "$REPO" status --porcelain 2>/dev/null) ]] && commit="$commit (working tree modified)"
    {
        echo "intake benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
        echo "$(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(uname -sr); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2); sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
        echo "DURATION=$DURATION RUNS=$RUNS; medians over runs; wrk threads = min(2, conns); client and server share the machine"
        echo "server: release build, --log-level warning, WAL fsync before every answer (COMMIT with synchronous=NORMAL, the WAL synced on the writer's WAL-sync thread; synchronous=FULL with --max-batch 1); CPU = server utime+stime per lead (per request for healthz), sys% = stime share, writer, loops, rest = the part on the writer's thread, on the NIO event loops and elsewhere (mostly the Swift concurrency pool running handlers); wrk µs = the load generator's own CPU per request; peak RSS $PEAK_SCOPE"
    } >"$RESULT_FILE"
}

# results_append: a stage's block (its table and ratios, on standard input), printed and appended
# to the results file.
results_append() { tee -a "$RESULT_FILE"; }

# results_finish: the server's warnings after the last stage's block, then the whole file.
results_finish() {
    {
        echo
        if [[ -s $ISSUES ]]; then
            echo "server warnings/errors:"
            cat "$ISSUES"
        else
            echo "server warnings/errors: none"
        fi
    } >>"$RESULT_FILE"
    echo
    echo "================================================================================"
    cat "$RESULT_FILE"
    echo
    echo "written to ${RESULT_FILE#"$REPO"/}"
    RESULT_FILE=""
}

# results_abandoned STATUS: a run that stopped early says so at the end of its results file,
# below the blocks of the stages that finished.
results_abandoned() {
    [[ -n ${RESULT_FILE:-} && -f $RESULT_FILE ]] || return 0
    { echo; echo "stopped early (exit status $1): the stages above finished, the rest did not"; } >>"$RESULT_FILE"
    echo "partial results in ${RESULT_FILE#"$REPO"/}" >&2
}
