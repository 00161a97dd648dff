# One measured wrk run and its record (sourced, not run): the load, the server's CPU (by thread
# group) and peak RSS around it, the check that every 200 is a row in the database, and a line
# in RECORDS that the summary tables read.

# init_records: the state every stage shares: the next unused mobile and the records file.
init_records() {
    CLK_TCK=$(getconf CLK_TCK)
    NEXT_BASE=0                 # first unused mobile index (see intake.lua); shared by all stages
    MAX_BASE=300000000          # 07100000000-07399999999
    RECORDS="$TMP/records.tsv"  # one line per wrk run, see measure_run
    ISSUES="$TMP/server-issues.txt"
    : >"$RECORDS"
    : >"$ISSUES"
}

# "writer loops" CPU ticks of two groups of the server's threads: the writer's (libdispatch runs a
# serial queue on a thread of its root queue, named "...-qos.overcommit"; the promotion timer
# fires there too) and the NIO event loops ("NIO-...": sockets, HTTP parsing). The rest is mostly
# Swift concurrency's global pool, where Hummingbird runs the request handlers.
thread_ticks() {
    local task stat comm rest writer=0 loops=0
    local -a f
    for task in /proc/"$1"/task/*; do
        { stat=$(<"$task/stat"); } 2>/dev/null || continue   # the thread may have just exited
        comm=${stat#*(}
        comm=${comm%%)*}
        rest=${stat##*) }
        read -r -a f <<<"$rest"
        case $comm in
            NIO-*) loops=$((loops + f[11] + f[12])) ;;
            *overcommit) writer=$((writer + f[11] + f[12])) ;;
        esac
    done
    echo "$writer $loops"
}

# Peak resident set (VmHWM) in KiB; reset_peak makes it "since now" (Linux clear_refs 5).
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
reset_peak() { { echo 5 >"/proc/$1/clear_refs"; } 2>/dev/null && PEAK_SCOPE="per run" || PEAK_SCOPE="since server start"; }


# count FILE STATUS KIND: responses counted by intake.lua (0 when none).
count() { awk -v s="status=$2" -v k="kind=$3" '$1 == "BENCH_COUNT" && $2 == s && $3 == k { split($4, kv, "="); n += kv[2] } END { print n + 0 }' "$1"; }

# All responses with status 200, whatever their body.
count_status() { awk -v s="status=$2" '$1 == "BENCH_COUNT" && $2 == s { split($4, kv, "="); n += kv[2] } END { print n + 0 }' "$1"; }

# run_wrk MODE CONNS DURATION OUT: one wrk run; advances NEXT_BASE past every mobile it used.
run_wrk() {
    local mode=$1 conns=$2 duration=$3 out=$4
    local threads=$((conns < 2 ? conns : 2))
    ((NEXT_BASE < MAX_BASE)) || { echo "out of distinct mobile numbers (${MAX_BASE})" >&2; exit 1; }
    # bash's time keyword: the client's own CPU (user and system seconds), into $out.cpu.
    { TIMEFORMAT='%U %S'; time wrk -t "$threads" -c "$conns" -d "$duration" --timeout 30s -s "$LUA" "${TARGET:-http://127.0.0.1:$PORT}" \
        -- "$mode" "$KEY" "$NEXT_BASE" "$threads" "${SCATTER:-none}" "$BATCH_SIZE" >"$out" 2>&1; } 2>"$out.cpu" || true
    if ! grep -q '^BENCH_SUMMARY ' "$out"; then
        echo "wrk failed:" >&2
        cat "$out" >&2
        exit 1
    fi
    if [[ $mode == lead || $mode == keyed || $mode == batch ]]; then
        NEXT_BASE=$(field "$out" BENCH_SUMMARY next_base)
        ((NEXT_BASE <= MAX_BASE)) || { echo "mobile numbers overflowed 07399999999" >&2; exit 1; }
    fi
}

# measure_run STAGE MODE CONNS RUN: one measured wrk run. Appends a line to $RECORDS:
#   stage conns run rps p50_us p99_us max_us cpu_us_per_lead peak_kib leads n200 processed other
#   sent requests check socket_errors sys_percent writer_us loops_us client_us
# and prints a progress line. check: OK (leads = 200s), INFLIGHT (more leads than 200s, but no
# more than the requests wrk sent and never saw answered), MISMATCH otherwise.
measure_run() {
    local stage=$1 mode=$2 conns=$3 run=$4
    local out="$TMP/wrk-$stage-$conns-$run.txt"
    local leads_before ticks_before sys_before leads_after ticks_after sys_after
    local writer_before loops_before writer_after loops_after
    leads_before=$(lead_count)
    reset_peak "$SERVER_PID"
    read -r ticks_before sys_before <<<"$(cpu_ticks "$SERVER_PID")"
    read -r writer_before loops_before <<<"$(thread_ticks "$SERVER_PID")"
    run_wrk "$mode" "$conns" "$DURATION" "$out"
    leads_after=$(settled_lead_count)
    read -r ticks_after sys_after <<<"$(cpu_ticks "$SERVER_PID")"
    read -r writer_after loops_after <<<"$(thread_ticks "$SERVER_PID")"
    local peak
    peak=$(peak_rss_kib "$SERVER_PID")

    local duration_us requests sent p50 p99 max n200 processed other errors
    duration_us=$(field "$out" BENCH_SUMMARY duration_us)
    requests=$(field "$out" BENCH_SUMMARY requests)
    sent=$(field "$out" BENCH_SUMMARY sent)
    errors=$(awk '$1 == "BENCH_SUMMARY" { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^err_/) n += kv[2] } } END { print n + 0 }' "$out")
    p50=$(field "$out" BENCH_LATENCY_US p50)
    p99=$(field "$out" BENCH_LATENCY_US p99)
    max=$(field "$out" BENCH_LATENCY_US max)
    n200=$(count_status "$out" 200)
    processed=$(count "$out" 200 processed)
    other=$(count "$out" 200 other)
    local leads=$((leads_after - leads_before))
    local rps per_lead check sys_pct
    sys_pct=$(awk -v s=$((sys_after - sys_before)) -v t=$((ticks_after - ticks_before)) 'BEGIN { if (t > 0) printf "%.0f", 100 * s / t; else print "nan" }')
    # A batch request carries BATCH_SIZE leads: its rate is given in leads/s, its checks per lead.
    local per200=1
    [[ $mode == batch ]] && per200=$BATCH_SIZE
    rps=$(awk -v r="$requests" -v d="$duration_us" -v k="$per200" 'BEGIN { printf "%.1f", k * r / (d / 1e6) }')
    # CPU per lead; for healthz (no leads) per request.
    local divisor=$leads
    [[ $mode == healthz ]] && divisor=$requests
    per_unit() { awk -v t="$1" -v hz="$CLK_TCK" -v n="$divisor" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "nan" }'; }
    per_lead=$(per_unit $((ticks_after - ticks_before)))
    local writer_us loops_us client_us
    writer_us=$(per_unit $((writer_after - writer_before)))
    loops_us=$(per_unit $((loops_after - loops_before)))
    client_us=$(awk -v n="$requests" '{ if (n > 0) printf "%.1f", ($1 + $2) * 1e6 / n; else print "nan" }' "$out.cpu")
    if [[ $mode == healthz ]]; then
        if ((leads == 0)); then check=OK; else check=MISMATCH; fi
    elif ((leads == n200 * per200)); then
        check=OK
    elif ((leads > n200 * per200 && leads <= (n200 + sent - requests) * per200)); then
        check=INFLIGHT
    else
        check=MISMATCH
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$stage" "$conns" "$run" "$rps" "$p50" "$p99" "$max" "$per_lead" "$peak" "$leads" "$n200" \
        "$processed" "$other" "$sent" "$requests" "$check" "$errors" "$sys_pct" "$writer_us" "$loops_us" "$client_us" >>"$RECORDS"
    local unit=lead shown=$check
    [[ $mode == healthz ]] && unit=req
    [[ $check == INFLIGHT ]] && shown="OK (+$((leads - n200)) in flight at stop)"
    printf '  %-16s c=%-3s run %d/%d: %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  CPU %7.1f µs/%s (%s%% sys; writer %s, loops %s, rest %s; wrk %s µs/req)  RSS %6.1f MiB  leads %s / 200s %s %s%s\n' \
        "$(stage_name "$stage")" "$conns" "$run" "$RUNS" "$rps" "$(ms "$p50")" "$(ms "$p99")" "$(ms "$max")" \
        "$per_lead" "$unit" "$sys_pct" "$writer_us" "$loops_us" "$(awk -v a="$per_lead" -v b="$writer_us" -v c="$loops_us" 'BEGIN { printf "%.1f", a - b - c }')" "$client_us" "$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')" "$leads" "$n200" "$shown" \
        "$( ((errors > 0)) && echo " ($errors socket errors)" || true)"
    if ((other > 0)) || [[ $check == MISMATCH ]]; then
        grep '^BENCH_COUNT\|^BENCH_OTHER_SAMPLE' "$out" | sed 's/^/    /'
    fi
}

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

# stage_name RECORD: the label of a record's stage (its first column) in tables and progress lines.
stage_name() {
    case $1 in
        lead) echo "lead/add" ;;
        healthz) echo "GET /healthz" ;;
        batch1) echo "max-batch 1" ;;
        growth) echo "lead/add grown" ;;
        empty) echo "lead/add empty" ;;
        suppressed) echo "lead/add DNC list" ;;
        hooked) echo "lead/add hook hangs" ;;
        unhooked) echo "lead/add no hooks" ;;
        unlisted) echo "lead/add no DNC" ;;
        typed) echo "lead/add line_types" ;;
        untyped) echo "lead/add any line" ;;
        edge) echo "lead/add via edge" ;;
        direct) echo "lead/add direct" ;;
        paired) echo "lead/add paired" ;;
        bare) echo "lead/add bare disk" ;;
        slow) echo "lead/add slow fsync" ;;
        plain) echo "lead/add" ;;
        keyed) echo "lead/add + key" ;;
        batch) echo "lead/batch ${BATCH_SIZE}/req" ;;
        *) echo "$1" ;;
    esac
}
