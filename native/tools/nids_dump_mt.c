/*
 * nids_dump_mt: several nids_dump runs at once in one process, each on its
 * own libnids engine (nids_engine_new/use/free, patches 0016-0023). Each run's
 * output, in nids_dump's format (FORMAT.md), goes to OUTDIR/<n>.out, n
 * counting from 1 in the order of the command lines; each must equal what
 * nids_dump prints for the same arguments (native/tools/engines.sh checks).
 *
 *   nids_dump_mt threads|interleave|free-open OUTDIR -- ARGS... [-- ARGS...]...
 *
 *   threads     one thread per run, all released at once; the first run uses
 *               libnids' default engine (its thread never chooses one), the
 *               others engines of their own
 *   interleave  every run on the calling thread, one packet of each in turn,
 *               switching engines with nids_engine_use() as jnids does when it
 *               resumes a session's coroutine
 *   free-open   each run on an engine of its own, stopped after a few packets
 *               and freed while open: nids_engine_free() must end its streams
 *               (their NIDS_EXITING lines go to OUTDIR/<n>.out) and free all
 *               it holds (a leak shows under LeakSanitizer)
 *
 * Exit status: 0, 1 if a run printed ERROR (as nids_dump would), 2 on a usage
 * error, 3 if a thread or engine could not be made.
 */
#define main nids_dump_main
#include "nids_dump.c"
#undef main

#include <pthread.h>

/* One run: its command line (ARGS after "--", with a program name before),
 * engine, output and, between its turns in interleave mode, nids_dump's
 * thread-local state. */
struct run {
    int argc;
    char **argv;
    struct nids_engine *engine; /* NULL: the default engine */
    FILE *f;
    pcap_t *p;
    int status;
    int done;
    pthread_t thread;
    /* nids_dump's per-run variables while another run has the thread */
    int opts[7];
    long long packets;
};

static void save_state(struct run *r)
{
    int o[7] = { opt_no_checksum, opt_udp, opt_ip, opt_frag, opt_warn, opt_hex, opt_no_ipv6 };
    memcpy(r->opts, o, sizeof o);
    r->packets = packets;
}

static void load_state(struct run *r)
{
    nids_engine_use(r->engine);
    out = r->f;
    opt_no_checksum = r->opts[0];
    opt_udp = r->opts[1];
    opt_ip = r->opts[2];
    opt_frag = r->opts[3];
    opt_warn = r->opts[4];
    opt_hex = r->opts[5];
    opt_no_ipv6 = r->opts[6];
    packets = r->packets;
}

static pthread_barrier_t start_line;

static void *run_thread(void *arg)
{
    struct run *r = arg;
    if (r->engine)
        nids_engine_use(r->engine);
    out = r->f;
    pthread_barrier_wait(&start_line);
    r->status = nids_dump_main(r->argc, r->argv);
    if (nids_engine_current() != r->engine) {
        fprintf(stderr, "nids_dump_mt: run %s ended on another engine\n", r->argv[r->argc - 1]);
        r->status = 3;
    }
    return NULL;
}

static int run_threads(struct run *runs, int n)
{
    if (pthread_barrier_init(&start_line, NULL, (unsigned)n) != 0)
        return 3;
    for (int i = 0; i < n; i++)
        if (pthread_create(&runs[i].thread, NULL, run_thread, &runs[i]) != 0) {
            fprintf(stderr, "nids_dump_mt: cannot start thread %d\n", i + 1);
            exit(3);
        }
    for (int i = 0; i < n; i++)
        pthread_join(runs[i].thread, NULL);
    pthread_barrier_destroy(&start_line);
    return 0;
}

static int run_interleaved(struct run *runs, int n)
{
    int active = 0;
    for (int i = 0; i < n; i++) {
        struct run *r = &runs[i];
        memset(r->opts, 0, sizeof r->opts);
        r->packets = 0;
        load_state(r);
        r->p = dump_start(r->argc, r->argv, &r->status);
        r->done = r->p == NULL;
        active += !r->done;
        save_state(r);
    }
    while (active > 0)
        for (int i = 0; i < n; i++) {
            struct run *r = &runs[i];
            if (r->done)
                continue;
            load_state(r);
            int got = dump_read(r->p, 1);
            if (got <= 0) {
                r->status = dump_end(r->p, got);
                r->done = 1;
                active--;
            }
            save_state(r);
        }
    nids_engine_use(NULL);
    return 0;
}

static int run_freed_open(struct run *runs, int n)
{
    for (int i = 0; i < n; i++) {
        struct run *r = &runs[i];
        memset(r->opts, 0, sizeof r->opts);
        r->packets = 0;
        load_state(r);
        r->p = dump_start(r->argc, r->argv, &r->status);
        if (r->p) {
            for (int k = 0; k < 20 && dump_read(r->p, 1) > 0; k++)
                ;
            buffering = 1;
            nids_engine_use(NULL);
            nids_engine_free(r->engine); /* nids_exit()s it: NIDS_EXITING lines */
            r->engine = NULL;
            flush_held();
            pcap_close(r->p);
        }
        nids_engine_use(NULL);
    }
    return 0;
}

static void mt_usage(void)
{
    fputs("usage: nids_dump_mt threads|interleave|free-open OUTDIR -- ARGS... [-- ARGS...]...\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--"))
        mt_usage();
    const char *mode = argv[1], *dir = argv[2];
    int threads = !strcmp(mode, "threads");
    if (!threads && strcmp(mode, "interleave") && strcmp(mode, "free-open"))
        mt_usage();

    int n = 0;
    for (int i = 3; i < argc; i++)
        n += !strcmp(argv[i], "--");
    struct run *runs = calloc((size_t)n, sizeof *runs);
    if (!runs)
        return 3;
    /* Each run's argv: "nids_dump" then its ARGS, NULL-terminated. */
    for (int i = 3, k = -1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            k++;
            runs[k].argv = calloc((size_t)argc, sizeof(char *));
            if (!runs[k].argv)
                return 3;
            runs[k].argv[runs[k].argc++] = "nids_dump";
            continue;
        }
        runs[k].argv[runs[k].argc++] = argv[i];
    }
    for (int i = 0; i < n; i++) {
        if (runs[i].argc < 2)
            mt_usage();
        char path[4096];
        snprintf(path, sizeof path, "%s/%d.out", dir, i + 1);
        if (!(runs[i].f = fopen(path, "w"))) {
            perror(path);
            return 3;
        }
        /* In threads mode the first run stays on the default engine. */
        if (!threads || i > 0) {
            if (!(runs[i].engine = nids_engine_new())) {
                fputs("nids_dump_mt: nids_engine_new failed\n", stderr);
                return 3;
            }
        }
    }

    if (threads)
        run_threads(runs, n);
    else if (!strcmp(mode, "interleave"))
        run_interleaved(runs, n);
    else
        run_freed_open(runs, n);

    int status = 0;
    for (int i = 0; i < n; i++) {
        nids_engine_free(runs[i].engine);
        fclose(runs[i].f);
        free(runs[i].argv);
        if (runs[i].status > status)
            status = runs[i].status;
    }
    free(runs);
    return status;
}
