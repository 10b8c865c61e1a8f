/*
 * bench_c: the C side of jnids' benchmark, straight on libnids (the very
 * libnids.a and libpcap.a that the jar bundles). bench/java/.../JnidsBench.java
 * does the same work through jnids' public API; both print one line of
 * key=value results, and every key but wall_ms and maxrss_kb must agree.
 *
 *   bench_c CASE CAPTURE [N_TCP_STREAMS]      (BENCH_REPEAT=N: N passes; medians)
 *
 * CASE
 *   a  collect every stream in both directions; sum count_new
 *   b  a, and touch every new byte: per callback s = sum of the new bytes,
 *      hash = (hash ^ s) * FNV prime
 *   c  pynids style: discard(0) on every data callback, and copy the half
 *      stream's whole buffer (count - offset bytes) into a fresh malloc'd
 *      buffer, as pynids makes a Python string; copied = bytes copied,
 *      hash = (hash ^ (first << 8 | last byte)) * FNV prime
 *   d  a, plus a UDP callback (datagrams, payload bytes) and an IP callback
 *      (datagrams, ip_len bytes)
 *   n, u, i  for bench/jmh's reference figures: no callback at all, the UDP
 *      callback of d only, the IP callback of d only
 *
 * The capture is opened as jnids opens it (fopen with a read buffer of
 * JNIDS_READ_BUFFER_BYTES, pcap_fopen_offline, handed to libnids as
 * nids_params.pcap_desc), so that both sides do the same I/O and the time
 * ratio is the Java layer's own cost. BENCH_C_OPEN=name lets libnids open the
 * file by name instead (libpcap's default buffer): what a plain libnids
 * program does.
 *
 * Every case counts libnids' warnings through nids_params.syslog (so that
 * none reaches syslog(3), as in jnids) and the TCP callbacks by state.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <nids.h>
#include <pcap.h>

#include "jnids.h" /* JNIDS_READ_BUFFER_BYTES */

#define FNV_BASIS 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static struct {
    uint64_t est, data, close, reset, timed_out, exiting;
    uint64_t bytes, copied, hash;
    uint64_t udp_n, udp_bytes, ip_n, ip_bytes;
    uint64_t warnings;
} r = {.hash = FNV_BASIS};

static void count_state(struct tcp_stream *t)
{
    switch (t->nids_state) {
    case NIDS_CLOSE: r.close++; break;
    case NIDS_RESET: r.reset++; break;
    case NIDS_TIMED_OUT: r.timed_out++; break;
    case NIDS_EXITING: r.exiting++; break;
    }
}

static void tcp_a(struct tcp_stream *t, void **param)
{
    if (t->nids_state == NIDS_JUST_EST) {
        t->client.collect++;
        t->server.collect++;
        r.est++;
    } else if (t->nids_state == NIDS_DATA) {
        r.data++;
        r.bytes += t->client.count_new + t->server.count_new;
    } else {
        count_state(t);
    }
}

static void tcp_b(struct tcp_stream *t, void **param)
{
    if (t->nids_state == NIDS_JUST_EST) {
        t->client.collect++;
        t->server.collect++;
        r.est++;
    } else if (t->nids_state == NIDS_DATA) {
        struct half_stream *h = t->client.count_new ? &t->client : &t->server;
        int n = h->count_new;
        const unsigned char *p = (const unsigned char *)h->data + (h->count - h->offset) - n;
        uint64_t s = 0;
        for (int i = 0; i < n; i++)
            s += p[i];
        r.data++;
        r.bytes += n;
        r.hash = (r.hash ^ s) * FNV_PRIME;
    } else {
        count_state(t);
    }
}

static void tcp_c(struct tcp_stream *t, void **param)
{
    if (t->nids_state == NIDS_JUST_EST) {
        t->client.collect++;
        t->server.collect++;
        r.est++;
    } else if (t->nids_state == NIDS_DATA) {
        struct half_stream *h = t->client.count_new ? &t->client : &t->server;
        nids_discard(t, 0);
        int n = h->count - h->offset;
        unsigned char *copy = malloc(n > 0 ? n : 1);
        if (!copy) {
            perror("bench_c");
            exit(1);
        }
        memcpy(copy, h->data, n);
        r.data++;
        r.bytes += h->count_new;
        r.copied += n;
        if (n > 0)
            r.hash = (r.hash ^ ((uint64_t)copy[0] << 8 | copy[n - 1])) * FNV_PRIME;
        /* keeps the compiler from eliding the allocation and copy */
        __asm__ volatile("" : : "r"(copy) : "memory");
        free(copy);
    } else {
        count_state(t);
    }
}

static void udp_d(struct tuple4 *addr, u_char *data, int len, struct ip *iph)
{
    r.udp_n++;
    r.udp_bytes += len;
}

static void ip_d(struct ip *iph, int skblen)
{
    r.ip_n++;
    r.ip_bytes += ntohs(iph->ip_len);
}

static void count_warning(int type, int errnum, struct ip *iph, void *data) { r.warnings++; }

/* Peak RSS of this process image (VmHWM). getrusage's ru_maxrss is not used:
 * Linux carries it across execve, so a program started by a JVM would report
 * the JVM's size. */
static long peak_rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3 || strlen(argv[1]) != 1 || !strchr("abcdnui", argv[1][0])) {
        fprintf(stderr, "usage: bench_c a|b|c|d|n|u|i CAPTURE [N_TCP_STREAMS]\n");
        return 2;
    }
    char which = argv[1][0];
    const char *open_by = getenv("BENCH_C_OPEN");
    int by_name = open_by && strcmp(open_by, "name") == 0;
    static char read_buffer[JNIDS_READ_BUFFER_BYTES];
    nids_params.n_tcp_streams = argc > 3 ? atoi(argv[3]) : 16384;
    nids_params.syslog = (void (*)())count_warning;
    /* BENCH_GAPS=skip: tcp_gaps skip (libnids patch 0050), as the Java side */
    const char *gaps = getenv("BENCH_GAPS");
    nids_params.tcp_gaps = gaps && strcmp(gaps, "skip") == 0 ? NIDS_TCP_GAPS_SKIP : NIDS_TCP_GAPS_WAIT;
    /* BENCH_REPEAT=N (for the microbenchmarks): N passes; wall_ms is their median. */
    const char *rep = getenv("BENCH_REPEAT");
    int repeat = rep && atoi(rep) > 0 ? atoi(rep) : 1;
    double *walls = calloc(repeat, sizeof *walls), *cpus = calloc(repeat, sizeof *cpus);

    for (int k = 0; k < repeat; k++) {
        memset(&r, 0, sizeof r);
        r.hash = FNV_BASIS;
        double t0 = now(), c0 = thread_cpu();
        if (by_name) {
            nids_params.filename = argv[2];
        } else {
            char errbuf[PCAP_ERRBUF_SIZE];
            FILE *f = fopen(argv[2], "rb");
            if (!f) {
                perror(argv[2]);
                return 1;
            }
            setvbuf(f, read_buffer, _IOFBF, sizeof read_buffer);
            if (!(nids_params.pcap_desc = pcap_fopen_offline(f, errbuf))) {
                fprintf(stderr, "bench_c: %s\n", errbuf);
                return 1;
            }
        }
        if (!nids_init()) {
            fprintf(stderr, "bench_c: %s\n", nids_errbuf);
            return 1;
        }
        switch (which) {
        case 'a': nids_register_tcp((void *)tcp_a); break;
        case 'b': nids_register_tcp((void *)tcp_b); break;
        case 'c': nids_register_tcp((void *)tcp_c); break;
        case 'd':
            nids_register_tcp((void *)tcp_a);
            nids_register_udp((void *)udp_d);
            nids_register_ip((void *)ip_d);
            break;
        /* for the microbenchmarks: no callback, UDP only, IP only */
        case 'n': break;
        case 'u': nids_register_udp((void *)udp_d); break;
        case 'i': nids_register_ip((void *)ip_d); break;
        }
        nids_run();
        if (nids_params.pcap_desc) {
            pcap_close(nids_params.pcap_desc);
            nids_params.pcap_desc = NULL;
        }
        walls[k] = now() - t0;
        cpus[k] = thread_cpu() - c0;
    }
    qsort(walls, repeat, sizeof *walls, cmp_double);
    qsort(cpus, repeat, sizeof *cpus, cmp_double);
    double wall = repeat % 2 ? walls[repeat / 2] : (walls[repeat / 2 - 1] + walls[repeat / 2]) / 2;
    double pass_cpu = repeat % 2 ? cpus[repeat / 2] : (cpus[repeat / 2 - 1] + cpus[repeat / 2]) / 2;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;

    printf("case=%c est=%" PRIu64 " data=%" PRIu64 " close=%" PRIu64 " reset=%" PRIu64 " timed_out=%" PRIu64
           " exiting=%" PRIu64 " bytes=%" PRIu64 " copied=%" PRIu64 " hash=%016" PRIx64 " udp_n=%" PRIu64
           " udp_bytes=%" PRIu64 " ip_n=%" PRIu64 " ip_bytes=%" PRIu64 " warnings=%" PRIu64
           " wall_ms=%.3f pass_cpu_ms=%.3f cpu_ms=%.1f maxrss_kb=%ld\n",
           which, r.est, r.data, r.close, r.reset, r.timed_out, r.exiting, r.bytes, r.copied, r.hash, r.udp_n,
           r.udp_bytes, r.ip_n, r.ip_bytes, r.warnings, wall * 1e3, pass_cpu * 1e3, cpu_ms, peak_rss_kb());
    free(walls);
    free(cpus);
    return 0;
}
