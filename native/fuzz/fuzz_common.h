/*
 * Callbacks shared by jnids' fuzz harnesses. They do what jnids' native layer
 * (native/jnids.c) does with what libnids hands it: collect both halves of
 * every stream (urgent data too), read every delivered byte, read the packet
 * that a warning is about, and read the probes of a scan report.
 *
 * The first byte of every input is a set of flags (FZ_*), so that one corpus
 * covers libnids' configurations.
 */
#ifndef JNIDS_FUZZ_COMMON_H
#define JNIDS_FUZZ_COMMON_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap.h>
#include "nids.h"
#include "scan.h"

enum {
    FZ_NO_CHKSUM = 1 << 0,   /* a 0.0.0.0/0 DONT_CHKSUM rule */
    FZ_WORKAROUNDS = 1 << 1, /* tcp_workarounds (and a 1 s flow timeout) */
    FZ_SMALL = 1 << 2,       /* tiny stream and host tables */
    FZ_NO_SCAN = 1 << 3,     /* scan detection off, and tcp_midstream on (a bit of its own would change the input format) */
    FZ_DISCARD = 1 << 4,     /* TCP callback keeps half of the new data */
    FZ_NO_DEV_ADDON = 1 << 5,  /* dev_addon 0, and one_loop_less */
    FZ_UNCOLLECT = 1 << 6,   /* stop collecting a half after some data */
    FZ_IP_CB = 1 << 7        /* also the IP and IP fragment callbacks */
};

static volatile uint64_t fz_sink;
static unsigned fz_flags;

static void fz_read(const void *p, long n)
{
    const unsigned char *b = p;
    uint64_t s = 0;
    for (long i = 0; i < n; i++)
        s += b[i];
    fz_sink += s;
}

static void fz_read_half(struct half_stream *h)
{
    /* the gap counters of patch 0050, in either mode */
    if (h->gap_before < 0 || h->gap_before > h->missing || (h->gaps > 0) != (h->missing > 0) ||
        (nids_params.tcp_gaps != NIDS_TCP_GAPS_SKIP && h->missing))
        abort();
    if (h->count_new)
        fz_read(h->data, h->count - h->offset);
    if (h->count_new_urg)
        fz_sink += h->urgdata;
}

/* Hooks for the regression runner, run first in every TCP callback. */
static void (*fz_tcp_hook)(struct tcp_stream *a);
static void (*fz_tcp_param_hook)(struct tcp_stream *a, void **param);

static void fz_tcp(struct tcp_stream *a, void **param)
{
    if (fz_tcp_hook)
        fz_tcp_hook(a);
    if (fz_tcp_param_hook)
        fz_tcp_param_hook(a, param);
    fz_read(&a->addr, sizeof a->addr);
    switch (a->nids_state) {
    case NIDS_JUST_EST:
        a->client.collect++;
        a->server.collect++;
        a->client.collect_urg++;
        a->server.collect_urg++;
        break;
    case NIDS_DATA:
        fz_read_half(&a->client);
        fz_read_half(&a->server);
        if (fz_flags & FZ_DISCARD) {
            struct half_stream *h = a->client.count_new ? &a->client : &a->server;
            if (h->count_new)
                nids_discard(a, h->count_new / 2);
        }
        if ((fz_flags & FZ_UNCOLLECT) && a->client.count > 64 && a->client.collect) {
            a->client.collect--;
            a->client.collect_urg--;
        }
        break;
    default:
        /* close, reset, timeout, exiting: the buffers are still readable */
        if (a->client.data)
            fz_read(a->client.data, a->client.count - a->client.offset);
        if (a->server.data)
            fz_read(a->server.data, a->server.count - a->server.offset);
        break;
    }
}

/* The datagram's length as jnids' trampolines take it: IPv4's total length,
 * or IPv6's 40 + payload length. */
static int fz_ip_len(const struct ip *iph)
{
    const u_char *p = (const u_char *)iph;
    return p[0] >> 4 == 6 ? 40 + (p[4] << 8 | p[5]) : ntohs(iph->ip_len);
}

static void fz_udp(struct tuple4 *addr, u_char *data, int len, struct ip *iph)
{
    fz_read(addr, sizeof *addr);
    fz_read(data, len);
    fz_read(iph, fz_ip_len(iph));
}

static void fz_ip(struct ip *iph, int skblen)
{
    (void)skblen;
    fz_read(iph, fz_ip_len(iph));
}

static void fz_ip_frag(struct ip *iph, int caplen)
{
    fz_read(iph, caplen);
}

/* What jnids' warning trampoline reads. */
static void fz_syslog(int type, int errnum, struct ip *iph, void *data)
{
    if (iph && type != NIDS_WARN_SCAN && nids_params.ipv6 && ((const u_char *)iph)[0] >> 4 == 6)
        fz_read((const u_char *)iph + 8, 32);
    else if (iph && type != NIDS_WARN_SCAN)
        fz_sink += iph->ip_src.s_addr + iph->ip_dst.s_addr;
    if (type == NIDS_WARN_TCP && data && errnum != NIDS_WARN_TCP_HDR) {
        const struct tcphdr *th = data;
        fz_sink += th->th_sport + th->th_dport;
    }
    if (type == NIDS_WARN_SCAN && data) {
        const struct host *h = data;
        for (int i = 0; i < h->n_packets; i++)
            fz_sink += h->packets[i].addr + h->packets[i].port + h->packets[i].flags;
        if (h->ipv6) {
            fz_read(h->addr6, 16);
            fz_read(h->packets6, 16L * (h->n_packets > 0 ? h->n_packets : 0));
        }
    }
}

static void fz_no_mem(char *where)
{
    fprintf(stderr, "libnids out of memory in %s\n", where);
    abort();
}

/* Hooks for the regression runner (regress.c): run after fz_configure()
 * and after nids_init() plus fz_register(). (fz_tcp_hook: above.) */
static void (*fz_before_init)(void);
static void (*fz_after_init)(void);

/* Hands a packet to libnids from a buffer of exactly its captured length,
 * so that a read past caplen is caught (libpcap's own buffer is larger). */
static void fz_exact_handler(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
    struct pcap_pkthdr h = *hdr;
    u_char *copy = malloc(h.caplen ? h.caplen : 1);
    memcpy(copy, data, h.caplen);
    nids_pcap_handler(user, &h, copy);
    free(copy);
}

static struct nids_chksum_ctl fz_all_nets = { 0, 0, NIDS_DONT_CHKSUM, 0 };

/* Sets libnids' parameters for one run; call before nids_init(). */
static void fz_configure(unsigned flags, pcap_t *p)
{
    fz_flags = flags;
    nids_params.pcap_desc = p;
    nids_params.filename = NULL;
    nids_params.device = NULL;
    nids_params.pcap_filter = NULL;
    nids_params.syslog = (void (*)())fz_syslog;
    nids_params.no_mem = fz_no_mem;
    nids_params.n_tcp_streams = flags & FZ_SMALL ? 4 : 256; /* 1040 by default: a smaller pool keeps ASan off mmap */
    nids_params.n_hosts = flags & FZ_SMALL ? 2 : 256;
    nids_params.scan_num_hosts = flags & FZ_NO_SCAN ? 0 : flags & FZ_SMALL ? 4 : 256;
    nids_params.scan_num_ports = flags & FZ_SMALL ? 2 : 10;
    nids_params.scan_delay = 3000;
    nids_params.tcp_workarounds = (flags & FZ_WORKAROUNDS) != 0;
    nids_params.tcp_flow_timeout = flags & FZ_WORKAROUNDS ? 1 : 3600;
    nids_params.tcp_midstream = (flags & FZ_NO_SCAN) != 0;
    nids_params.dev_addon = flags & FZ_NO_DEV_ADDON ? 0 : -1;
    nids_params.one_loop_less = (flags & FZ_NO_DEV_ADDON) != 0;
    nids_params.multiproc = 0;
    /* every bit is taken: tcp_gaps skip for flag bytes of odd parity (each
       flag runs in both modes), with a 2 KB bound when FZ_SMALL */
    nids_params.tcp_gaps = __builtin_parity(flags) ? NIDS_TCP_GAPS_SKIP : NIDS_TCP_GAPS_WAIT;
    nids_params.tcp_gap_queue_limit = flags & FZ_SMALL ? 2048 : NIDS_TCP_GAP_QUEUE_LIMIT;
    nids_register_chksum_ctl(&fz_all_nets, flags & FZ_NO_CHKSUM ? 1 : 0);
}

/* Registers the callbacks; call after nids_init(), which resets the lists. */
static void fz_register(void)
{
    nids_register_tcp((void *)fz_tcp);
    nids_register_udp((void *)fz_udp);
    if (fz_flags & FZ_IP_CB) {
        nids_register_ip((void *)fz_ip);
        nids_register_ip_frag((void *)fz_ip_frag);
    }
}

#endif
