/*
 * lf-enq: take, release and list locks on an enqueue server. It ends OK,
 * REFUSED (by the server), USAGE, or UNREACHABLE (no server, or a protocol
 * failure): exit status 0, 1, 2 or 3 (lf_exit.h's table).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lf_auth.h"
#include "lf_client.h"
#include "lf_exit.h"
#include "lf_parse.h"
#include "lf_rc.h"

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: lf-enq [-a ADDRESS] [-p PORT] [-k SECRETFILE] "
            "[-t TIMEOUT_MS] COMMAND\n"
            "commands:\n"
            "  lock KEY OWNER [X|S]   take a lock (X exclusive, the default;"
            " S shared)\n"
            "  unlock KEY OWNER       release it\n"
            "  unlockall OWNER        release every lock of OWNER\n"
            "  list                   one line per lock: KEY OWNER MODE\n"
            "  count                  number of locks held\n"
            "  stats                  server statistics\n"
            "  ping                   check the server answers\n"
            "  client-key             print a client credential derived"
            " from -k's\n"
            "                         secret (lets a client in, never a"
            " replica)\n");
}

/* Build the request line for argv: OK, or USAGE (with a message). */
static enum lf_exit
build_request(int argc, char **argv, char *out, size_t size)
{
    const char *cmd = argv[0];
    int n;

    if (strcmp(cmd, "lock") == 0 && (argc == 3 || argc == 4)) {
        n = snprintf(out, size, "LOCK %s %s%s%s", argv[1], argv[2],
                     argc == 4 ? " " : "", argc == 4 ? argv[3] : "");
    } else if (strcmp(cmd, "unlock") == 0 && argc == 3) {
        n = snprintf(out, size, "UNLOCK %s %s", argv[1], argv[2]);
    } else if (strcmp(cmd, "unlockall") == 0 && argc == 2) {
        n = snprintf(out, size, "UNLOCKALL %s", argv[1]);
    } else if (strcmp(cmd, "list") == 0 && argc == 1) {
        n = snprintf(out, size, "LIST");
    } else if (strcmp(cmd, "count") == 0 && argc == 1) {
        n = snprintf(out, size, "COUNT");
    } else if (strcmp(cmd, "stats") == 0 && argc == 1) {
        n = snprintf(out, size, "STATS");
    } else if (strcmp(cmd, "ping") == 0 && argc == 1) {
        n = snprintf(out, size, "PING");
    } else if (strcmp(cmd, "client-key") == 0 && argc == 1) {
        n = snprintf(out, size, "client-key");
    } else {
        usage(stderr);
        return LF_EXIT_USAGE;
    }
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "lf-enq: request too long\n");
        return LF_EXIT_USAGE;
    }
    if (argc >= 2) {
        if ((strcmp(cmd, "unlockall") == 0 ? !lf_lock_valid_owner(argv[1])
                                           : !lf_lock_valid_key(argv[1]))) {
            fprintf(stderr,
                    "lf-enq: '%s': keys are 1-%d and owners 1-%d "
                    "printable characters without spaces\n",
                    argv[1], LF_KEY_MAX, LF_OWNER_MAX);
            return LF_EXIT_USAGE;
        }
    }
    if (argc >= 3 && !lf_lock_valid_owner(argv[2])) {
        fprintf(stderr,
                "lf-enq: owner '%s' must be 1-%d printable "
                "characters without spaces\n",
                argv[2], LF_OWNER_MAX);
        return LF_EXIT_USAGE;
    }
    if (argc == 4 && strcmp(argv[3], "X") != 0 && strcmp(argv[3], "S") != 0) {
        fprintf(stderr, "lf-enq: mode must be X or S\n");
        return LF_EXIT_USAGE;
    }
    return LF_EXIT_OK;
}

/* LIST: "OK <n>" then n lines. */
static enum lf_exit
print_list(struct lf_client *client, const char *reply)
{
    char line[LF_LINE_MAX + 1];
    long long n = 0;

    if (lf_parse_long(reply + 3, 0, 1LL << 40, &n) != 0) {
        fprintf(stderr, "lf-enq: unexpected reply: %s\n", reply);
        return LF_EXIT_UNREACHABLE;
    }
    for (long long i = 0; i < n; i++) {
        int rc = lf_client_read_line(client, line, sizeof(line));

        if (rc != 0) {
            fprintf(stderr,
                    "lf-enq: list cut short after %lld of %lld: "
                    "%s\n",
                    i, n, lf_rc_str(rc));
            return LF_EXIT_UNREACHABLE;
        }
        puts(line);
    }
    return LF_EXIT_OK;
}

/* client-key: no server involved, only the secret file. */
static enum lf_exit
print_client_key(const char *secretfile, const struct lf_secret *secret)
{
    char text[LF_AUTH_CREDENTIAL_LEN + 1];

    if (secretfile == NULL) {
        fprintf(stderr, "lf-enq: client-key needs -k SECRETFILE\n");
        return LF_EXIT_USAGE;
    }
    if (lf_auth_client_credential(secret, text) != 0) {
        fprintf(stderr, "lf-enq: %s is a client credential already\n",
                secretfile);
        return LF_EXIT_USAGE;
    }
    puts(text);
    return LF_EXIT_OK;
}

/* The command line's request, and how it ended. */
static enum lf_exit
run(int argc, char **argv)
{
    const char *address = "127.0.0.1";
    const char *secretfile = NULL;
    struct lf_secret secret = {.len = 0};
    struct lf_client client;
    char request[LF_LINE_MAX + 1];
    char reply[LF_LINE_MAX + 1];
    const char *why = "";
    uint16_t port = LF_DEFAULT_PORT;
    long long timeout = 5000;
    enum lf_exit end;
    int opt;
    int rc;

    while ((opt = getopt(argc, argv, "+a:p:k:t:h")) != -1) {
        switch (opt) {
        case 'a':
            address = optarg;
            break;
        case 'p':
            if (lf_parse_port(optarg, &port) != 0) {
                fprintf(stderr, "lf-enq: -p: '%s' is not a port\n", optarg);
                return LF_EXIT_USAGE;
            }
            break;
        case 'k':
            secretfile = optarg;
            break;
        case 't':
            if (lf_parse_long(optarg, 1, 3600000, &timeout) != 0) {
                fprintf(stderr, "lf-enq: -t: '%s' is not a timeout in ms\n",
                        optarg);
                return LF_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return LF_EXIT_OK;
        default:
            usage(stderr);
            return LF_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return LF_EXIT_USAGE;
    }
    end = build_request(argc - optind, argv + optind, request, sizeof(request));
    if (end != LF_EXIT_OK) {
        return end;
    }
    if (secretfile != NULL
        && (rc = lf_secret_load(secretfile, &secret, &why)) != 0) {
        fprintf(stderr, "lf-enq: %s %s: %s\n", why, secretfile, lf_rc_str(rc));
        return lf_exit_of_file_rc(rc);
    }
    if (strcmp(argv[optind], "client-key") == 0) {
        return print_client_key(secretfile, &secret);
    }
    rc = lf_client_open(&client, address, port, (int)timeout, &secret, &why);
    if (rc != 0) {
        fprintf(stderr, "lf-enq: %s at %s port %u: %s\n", why, address, port,
                lf_rc_str(rc));
        return lf_exit_of_call_rc(rc);
    }
    rc = lf_client_call(&client, request, reply, sizeof(reply));
    if (rc != 0) {
        fprintf(stderr, "lf-enq: no reply from %s port %u: %s\n", address, port,
                lf_rc_str(rc));
        lf_client_close(&client);
        return lf_exit_of_call_rc(rc);
    }
    if (strncmp(reply, "ERR ", 4) == 0) {
        fprintf(stderr, "lf-enq: refused: %s\n", reply + 4);
        end = LF_EXIT_REFUSED;
    } else if (strcmp(argv[optind], "list") == 0
               && strncmp(reply, "OK ", 3) == 0) {
        end = print_list(&client, reply);
    } else if (strcmp(reply, "OK") != 0) {
        /* count, stats, unlockall, "already held": show what follows OK */
        puts(strncmp(reply, "OK ", 3) == 0 ? reply + 3 : reply);
    }
    lf_client_close(&client);
    return end;
}

int
main(int argc, char **argv)
{
    return lf_exit_status(LF_EXIT_CLIENT, run(argc, argv));
}
