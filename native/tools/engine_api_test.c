/*
 * engine_api_test: the contract of libnids' engine API (nids.h, patches
 * 0016-0023), run by native/tools/engines.sh:
 *
 *   engine_api_test CAPTURE      (a capture with TCP connections; prints "ok engine api")
 *
 * - the default engine is current (NULL) on a thread that never chose one;
 *   nids_engine_use() returns the previous engine, NULL for the default one
 * - a new engine starts with libnids' default parameters, whatever the
 *   default engine's were set to; each engine's nids_params, nids_errbuf and
 *   callback lists are its own
 * - nids_engine_free() of an engine with callbacks but never opened frees
 *   them, and of an open engine runs nids_exit(): its listeners get
 *   NIDS_EXITING with that engine current, and the caller's engine is
 *   current again afterwards (LeakSanitizer checks that nothing is left)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nids.h>

static int failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "engine_api_test: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

static struct nids_engine *expected_engine;
static int established, exiting, wrong_engine;

static void tcp_callback(struct tcp_stream *a_tcp, void **param)
{
    if (nids_engine_current() != expected_engine)
        wrong_engine++;
    if (a_tcp->nids_state == NIDS_JUST_EST) {
        a_tcp->client.collect++;
        a_tcp->server.collect++;
        established++;
    } else if (a_tcp->nids_state == NIDS_EXITING) {
        exiting++;
    }
}

static void udp_callback(struct tuple4 *addr, u_char *data, int len, struct ip *iph) {}

static void quiet(int type, int errnum, struct ip *iph, void *data) {}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: engine_api_test CAPTURE\n", stderr);
        return 2;
    }
    int defaults = nids_params.n_tcp_streams;

    /* selection */
    CHECK(nids_engine_current() == NULL);
    struct nids_engine *a = nids_engine_new(), *b = nids_engine_new();
    CHECK(a && b && a != b);
    nids_params.n_tcp_streams = 7; /* the default engine's */
    CHECK(nids_engine_use(a) == NULL);
    CHECK(nids_engine_current() == a);
    CHECK(nids_engine_use(b) == a);
    CHECK(nids_engine_use(NULL) == b);
    CHECK(nids_engine_current() == NULL);

    /* each engine's variables */
    nids_engine_use(a);
    CHECK(nids_params.n_tcp_streams == defaults);
    CHECK(sizeof nids_errbuf == PCAP_ERRBUF_SIZE);
    nids_params.n_tcp_streams = 9;
    strcpy(nids_errbuf, "engine a");
    nids_engine_use(b);
    CHECK(nids_params.n_tcp_streams == defaults);
    CHECK(strcmp(nids_errbuf, "engine a") != 0);
    nids_engine_use(NULL);
    CHECK(nids_params.n_tcp_streams == 7);
    nids_params.n_tcp_streams = defaults;
    nids_engine_use(a);
    CHECK(nids_params.n_tcp_streams == 9);
    CHECK(strcmp(nids_errbuf, "engine a") == 0);

    /* callback lists of an engine never opened are freed with it */
    nids_register_tcp((void *)tcp_callback);
    nids_register_udp((void *)udp_callback);
    nids_engine_use(NULL);
    nids_engine_free(a);
    nids_engine_free(NULL);

    /* an open engine, freed from another one */
    nids_engine_use(b);
    nids_params.filename = argv[1];
    nids_params.scan_num_hosts = 0;
    nids_params.syslog = (void (*)())quiet;
    if (!nids_init()) {
        fprintf(stderr, "engine_api_test: nids_init: %s\n", nids_errbuf);
        return 1;
    }
    expected_engine = b;
    nids_register_tcp((void *)tcp_callback);
    for (int i = 0; i < 200 && nids_next(); i++)
        ;
    struct nids_engine *c = nids_engine_new();
    CHECK(c != NULL);
    nids_engine_use(c);
    nids_engine_free(b);
    CHECK(nids_engine_current() == c);
    CHECK(established > 0);
    CHECK(exiting > 0);
    CHECK(wrong_engine == 0);
    nids_engine_use(NULL);
    nids_engine_free(c);

    if (failures)
        return 1;
    printf("ok engine api (%d streams open when their engine was freed)\n", exiting);
    return 0;
}
