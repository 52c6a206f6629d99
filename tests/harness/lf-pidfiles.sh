# lf-pidfiles.sh - for test scripts that start leapfrog daemons (source it).
#
# lf_kill_pidfiles DIR: kill -9 the daemons named by the pid files in DIR,
# when the pid still runs one of our binaries (lf-enqueued, lf-replicad,
# leapfrogd, lf-watch): only processes the test started, by PID, never by
# name.
lf_kill_pidfiles() {
    local f pid
    for f in "$1"/*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
        */lf-enqueued | */lf-replicad | */leapfrogd | */lf-watch)
            kill -9 "$pid" ;;
        esac
    done
}
