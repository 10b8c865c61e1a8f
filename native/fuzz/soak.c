/*
 * Soak: replays captures through libnids (the production build cppbuild.sh
 * makes, with every callback collecting and reading all data, as jnids does)
 * over and over for N minutes, and reports memory over time.
 *
 *   soak [-m minutes] [-i report-seconds] [-c] capture...
 *
 * -c turns checksum verification off (a 0.0.0.0/0 DONT_CHKSUM rule).
 * Each report line: elapsed seconds, passes over the captures, packets, RSS
 * in KiB, and bytes of heap in use (mallinfo2). The exit status is 1 if the
 * heap in use at the end exceeds that after the first pass by more than 1 MiB.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap.h>
#include <nids.h>

static volatile uint64_t sink;
static long long packets;

static void read_bytes(const void *p, long n)
{
    const unsigned char *b = p;
    for (long i = 0; i < n; i++)
        sink += b[i];
}

static void on_tcp(struct tcp_stream *a, void **param)
{
    (void)param;
    if (a->nids_state == NIDS_JUST_EST) {
        a->client.collect++;
        a->server.collect++;
        a->client.collect_urg++;
        a->server.collect_urg++;
    } else if (a->nids_state == NIDS_DATA) {
        if (a->client.count_new)
            read_bytes(a->client.data, a->client.count - a->client.offset);
        if (a->server.count_new)
            read_bytes(a->server.data, a->server.count - a->server.offset);
    }
}

static void on_udp(struct tuple4 *addr, u_char *data, int len, struct ip *iph)
{
    (void)addr;
    (void)iph;
    read_bytes(data, len);
}

static void on_ip(struct ip *iph, int len)
{
    (void)len;
    sink += *(unsigned char *)iph;
}

static void quiet(int type, int errnum, struct ip *iph, void *data)
{
    (void)type; (void)errnum; (void)iph; (void)data;
}

static void on_no_mem(char *where)
{
    fprintf(stderr, "soak: libnids out of memory in %s\n", where);
    abort();
}

static void counting_handler(u_char *u, const struct pcap_pkthdr *h, const u_char *d)
{
    packets++;
    nids_pcap_handler(u, (struct pcap_pkthdr *)h, (u_char *)d);
}

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long passes;

/* Replays one capture; a capture libnids refuses is reported on the first pass only. */
static int replay(const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, errbuf);
    if (!p) {
        if (!passes)
            fprintf(stderr, "soak: %s: %s\n", path, errbuf);
        return 0;
    }
    nids_params.pcap_desc = p;
    if (!nids_init()) {
        if (!passes)
            fprintf(stderr, "soak: %s: %s (skipped)\n", path, nids_errbuf);
        nids_params.pcap_desc = NULL;
        pcap_close(p);
        return 0;
    }
    nids_register_tcp((void *)on_tcp);
    nids_register_udp((void *)on_udp);
    nids_register_ip((void *)on_ip);
    while (pcap_dispatch(p, -1, counting_handler, NULL) > 0)
        ;
    nids_exit();
    nids_params.pcap_desc = NULL;
    pcap_close(p);
    return 1;
}

int main(int argc, char **argv)
{
    double minutes = 1, interval = 10;
    int opt, nochk = 0;
    while ((opt = getopt(argc, argv, "m:i:c")) != -1) {
        switch (opt) {
        case 'm': minutes = atof(optarg); break;
        case 'i': interval = atof(optarg); break;
        case 'c': nochk = 1; break;
        default:
            fprintf(stderr, "usage: soak [-m minutes] [-i report-seconds] [-c] capture...\n");
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: soak [-m minutes] [-i report-seconds] [-c] capture...\n");
        return 2;
    }
    static struct nids_chksum_ctl all = { 0, 0, NIDS_DONT_CHKSUM, 0 };
    nids_register_chksum_ctl(&all, nochk);
    nids_params.syslog = (void (*)())quiet;
    nids_params.no_mem = on_no_mem;
    nids_params.scan_num_hosts = 0;

    double start = now(), next = start + interval, end = start + minutes * 60;
    size_t baseline = 0;
    long baseline_rss = 0;
    printf("%8s %8s %12s %10s %12s\n", "seconds", "passes", "packets", "rss_kib", "heap_bytes");
    do {
        int ok = 0;
        for (int i = optind; i < argc; i++)
            ok += replay(argv[i]);
        if (!ok)
            return 2;
        passes++;
        if (passes == 1) {
            baseline = heap_in_use();
            baseline_rss = rss_kib();
            printf("%8.1f %8ld %12lld %10ld %12zu\n", now() - start, passes, packets, baseline_rss, baseline);
            fflush(stdout);
        }
        if (now() >= next) {
            printf("%8.1f %8ld %12lld %10ld %12zu\n", now() - start, passes, packets, rss_kib(), heap_in_use());
            fflush(stdout);
            next += interval;
        }
    } while (now() < end);
    size_t final = heap_in_use();
    long final_rss = rss_kib();
    printf("%8.1f %8ld %12lld %10ld %12zu  (end)\n", now() - start, passes, packets, final_rss, final);
    long growth = (long)final - (long)baseline;
    printf("heap growth since first pass: %ld bytes; rss growth: %ld KiB\n", growth, final_rss - baseline_rss);
    return growth > 1024 * 1024 ? 1 : 0;
}
