# lf-pcs.sh - pcs command lines for the tests that differ between pcs 0.11
# (Debian 12) and pcs 0.12 (Debian 13), which deprecates the older form
# with a "Deprecation Warning" (source it, bash). Everything else the
# tests give pcs is the same on both.
#
#   lf_pcs_012                    is the installed pcs 0.12 or later?
#   lf_pcs_in_group GROUP CMD...  run CMD, a command line that holds
#                                 "pcs ... resource create ID AGENT ..."
#                                 (after any prefix: lfc_exec 1, env ...),
#                                 creating the resource in GROUP: on 0.12
#                                 "create --future ... group GROUP", before
#                                 "create ... --group GROUP"
#   lf_pcs_with_rule RULE CMD...  run CMD followed by the rule expression
#                                 RULE ("runs_ers_X eq 1"): one argument on
#                                 0.12, one per word before (pcs 0.11 takes
#                                 no other form)
# shellcheck shell=bash

lf_pcs_012() {
    if [ -z "${LF_PCS_012:-}" ]; then
        case "$(pcs --version 2>/dev/null)" in
        0.[0-9].* | 0.1[01].*) LF_PCS_012=no ;;
        *) LF_PCS_012=yes ;;
        esac
    fi
    [ "$LF_PCS_012" = yes ]
}

lf_pcs_in_group() {
    local group=$1 a args=() done=no
    shift
    if ! lf_pcs_012; then
        "$@" --group "$group"
        return
    fi
    for a in "$@"; do
        args+=("$a")
        if [ "$done" = no ] && [ "$a" = create ]; then
            args+=(--future)
            done=yes
        fi
    done
    "${args[@]}" group "$group"
}

lf_pcs_with_rule() {
    local rule=$1
    shift
    if lf_pcs_012; then
        "$@" "$rule"
    else
        # shellcheck disable=SC2086 # one argument per word
        "$@" $rule
    fi
}
