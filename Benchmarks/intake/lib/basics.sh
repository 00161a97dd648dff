# Small helpers shared by every stage and by compare (sourced, not run).

# A free TCP port on 127.0.0.1. At --log-level warning the server does not log its "listening"
# line (that is info), so --port 0 cannot be used: the port it picked would be unknown.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# "utime+stime stime" of the server in clock ticks.
cpu_ticks() {
    local stat rest
    local -a f
    stat=$(<"/proc/$1/stat")
    rest=${stat##*) }             # the command name may hold spaces: skip past its ')'
    read -r -a f <<<"$rest"       # f[0] is field 3 (state), so utime (14) is f[11], stime (15) f[12]
    echo "$((f[11] + f[12])) ${f[12]}"
}

# field FILE TAG NAME: the value of NAME=... on the line starting with TAG in wrk's output.
field() { awk -v tag="$2" -v name="$3" '$1 == tag { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) print kv[2] } }' "$1"; }

# median: the median of the numbers on standard input ("nan" for none).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
