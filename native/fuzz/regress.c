/*
 * Regression runner for the hostile captures: every capture named is run
 * through libpcap and libnids as fuzz_capture runs it, once for each of a
 * set of flag bytes (checksums on and off, small tables, workarounds, IP
 * callbacks...), all in one process, in the order given, so that a session
 * that fails or leaves state behind is followed by others. Then the
 * scenarios that need a parameter changed:
 *   - scan_num_ports and scan_num_hosts raised after nids_init()
 *   - n_hosts = 0 with IP fragments
 *   - tcp_workarounds turned off by the TCP callback (on NIDS_DATA)
 *   - state kept per stream in the listener's param from NIDS_JUST_EST to
 *     the stream's end event: none may be left when the session has ended
 *   - the memory held must not grow with the number of sessions
 * Built with ASan + UBSan (build.sh: build/regress); exits non-zero (an
 * ASan report, LeakSanitizer included) when a fixed bug comes back.
 *
 *   regress capture...      (run from anywhere; prints one line per file)
 *   REGRESS_NO_SCENARIOS=1 regress capture...   (the flag sets only)
 */
#include "fuzz_capture.c"
/* from <sanitizer/allocator_interface.h>, which gcc does not install */
size_t __sanitizer_get_current_allocated_bytes(void);

static const unsigned char flag_sets[] = {
    0x00, FZ_NO_CHKSUM, FZ_NO_CHKSUM | FZ_IP_CB, FZ_NO_CHKSUM | FZ_SMALL | FZ_WORKAROUNDS,
    FZ_NO_CHKSUM | FZ_DISCARD | FZ_UNCOLLECT, FZ_IP_CB, FZ_NO_CHKSUM | FZ_NO_SCAN | FZ_NO_DEV_ADDON,
    0xff,
    /* odd parity: tcp_gaps skip, with tcp_workarounds and tcp_midstream */
    FZ_NO_CHKSUM | FZ_WORKAROUNDS | FZ_NO_SCAN | FZ_DISCARD | FZ_UNCOLLECT
};

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n + 1);
    if (fread(buf + 1, 1, n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = n + 1;
    return buf;
}

static void raise_scan_params(void)
{
    nids_params.scan_num_ports = 50;
    nids_params.scan_num_hosts = 100000;
}

static void no_hosts(void)
{
    nids_params.n_hosts = 0;
}

static void workarounds_off(struct tcp_stream *a)
{
    if (a->nids_state == NIDS_DATA)
        nids_params.tcp_workarounds = 0;
}

/* Per-stream state, as a handler keeps it: made when the stream is
 * established, freed by its end event. A stream ended without one leaves
 * its state behind. */
static long streams_with_state;

static void per_stream_state(struct tcp_stream *a, void **param)
{
    switch (a->nids_state) {
    case NIDS_JUST_EST:
        *param = malloc(16);
        streams_with_state++;
        break;
    case NIDS_CLOSE:
    case NIDS_RESET:
    case NIDS_TIMED_OUT:
    case NIDS_EXITING:
        if (*param) {
            free(*param);
            *param = NULL;
            streams_with_state--;
        }
        break;
    default:
        break;
    }
}

static void run(const char *path, unsigned flags)
{
    size_t size;
    uint8_t *buf = slurp(path, &size);
    if (!buf) {
        fprintf(stderr, "regress: cannot read %s\n", path);
        exit(2);
    }
    buf[0] = flags;
    LLVMFuzzerTestOneInput(buf, size);
    free(buf);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        for (size_t k = 0; k < sizeof flag_sets; k++)
            run(argv[i], flag_sets[k]);
        printf("ok %s\n", argv[i]);
    }
    /* scenarios: parameters that libnids must not trust after nids_init() */
    for (int i = 1; i < argc && !getenv("REGRESS_NO_SCENARIOS"); i++) {
        fz_after_init = raise_scan_params;
        run(argv[i], FZ_NO_CHKSUM | FZ_SMALL);
        fz_after_init = NULL;
        fz_before_init = no_hosts;
        run(argv[i], FZ_NO_CHKSUM);
        fz_before_init = NULL;
        fz_tcp_hook = workarounds_off;
        run(argv[i], FZ_NO_CHKSUM | FZ_WORKAROUNDS);
        fz_tcp_hook = NULL;
        fz_tcp_param_hook = per_stream_state;
        run(argv[i], FZ_NO_CHKSUM);
        run(argv[i], FZ_NO_CHKSUM | FZ_SMALL | FZ_WORKAROUNDS);
        fz_tcp_param_hook = NULL;
        if (streams_with_state != 0) {
            printf("FAIL %s: %ld streams ended without an end event\n", argv[i], streams_with_state);
            return 1;
        }
    }
    /* memory held across sessions must not grow with their number (what
     * LeakSanitizer cannot see: blocks still reachable from libnids' globals) */
    for (int i = 1; i < argc; i++) {
        for (int k = 0; k < 4; k++)
            run(argv[i], FZ_NO_CHKSUM | FZ_IP_CB);
        size_t before = __sanitizer_get_current_allocated_bytes();
        for (int k = 0; k < 16; k++)
            run(argv[i], FZ_NO_CHKSUM | FZ_IP_CB);
        size_t after = __sanitizer_get_current_allocated_bytes();
        if (after > before) {
            printf("FAIL %s: %zu bytes more held after 16 more sessions\n", argv[i], after - before);
            return 1;
        }
    }
    printf("ok scenarios\n");
    return 0;
}
