/*
 * nids_dump: reads a capture with libnids and prints every event it reports,
 * one line each, in the format described in FORMAT.md. It is linked to the same
 * libnids.a and libpcap.a that jnids bundles (cppbuild/<platform>/lib) and to
 * nothing of jnids' own, so that its output is an independent reference for
 * the Java facade.
 *
 *   nids_dump [--no-checksum] [--no-ipv6] [--udp] [--ip] [--frag] [--warn] [--hex] [--gaps] [--midstream] CAPTURE
 *
 * Exit status: 0 after END, 1 after ERROR, 2 on a usage error.
 *
 * A run's state is thread-local and its output goes to `out` (stdout here),
 * so that nids_dump_mt.c can run several at once, each on its own libnids
 * engine.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap.h>
#include <nids.h>
#include <libnids/scan.h>

static __thread int opt_no_checksum, opt_no_ipv6, opt_udp, opt_ip, opt_frag, opt_warn, opt_hex, opt_gaps;
/* set from each command line and read by dump_start() alone, so that
 * nids_dump_mt.c, which parses several on one thread, need not keep it */
static __thread int opt_midstream;
static __thread long long packets;
static __thread FILE *out;

/* ---- CRC-32 (IEEE 802.3, as zlib and java.util.zip.CRC32) ---- */

static __thread uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

/* Continues a CRC: crc_update(0, ...) starts one. */
static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- output ---- */

/* Lines printed while libnids ends the session (NIDS_EXITING) come in the
 * order of libnids' stream hash table, which is seeded from /dev/urandom; they
 * are collected and printed sorted, so that the output is reproducible. */
static __thread int buffering;
static __thread char **held;
static __thread size_t n_held, cap_held;

static void emit(const char *line)
{
    if (!buffering) {
        fputs(line, out);
        fputc('\n', out);
        return;
    }
    if (n_held == cap_held) {
        cap_held = cap_held ? 2 * cap_held : 64;
        held = realloc(held, cap_held * sizeof *held);
        if (!held) {
            fputs("ERROR out of memory\n", out);
            exit(1);
        }
    }
    held[n_held] = strdup(line);
    if (!held[n_held]) {
        fputs("ERROR out of memory\n", out);
        exit(1);
    }
    n_held++;
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void flush_held(void)
{
    if (n_held > 1)
        qsort(held, n_held, sizeof *held, compare_lines);
    for (size_t i = 0; i < n_held; i++) {
        fputs(held[i], out);
        fputc('\n', out);
        free(held[i]);
    }
    n_held = 0;
    buffering = 0;
}

/* A growable line buffer. */
struct line {
    char *s;
    size_t len, cap;
};

static void line_printf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line_printf(struct line *l, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = l->cap - l->len;
        int n = vsnprintf(l->s ? l->s + l->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < room) {
            l->len += n;
            return;
        }
        size_t cap = l->cap ? l->cap : 256;
        while (cap - l->len <= (size_t)n)
            cap *= 2;
        l->s = realloc(l->s, cap);
        if (!l->s) {
            fputs("ERROR out of memory\n", out);
            exit(1);
        }
        l->cap = cap;
    }
}

static void line_emit(struct line *l)
{
    emit(l->s ? l->s : "");
    free(l->s);
    l->s = NULL;
    l->len = l->cap = 0;
}

/* Appends "crc32=XXXXXXXX" or, with --hex, "data=<hex>" (empty: "data=-"). */
static void line_bytes(struct line *l, const char *crcname, const char *hexname,
                       const unsigned char *p, int n)
{
    if (!opt_hex) {
        line_printf(l, " %s=%08x", crcname, crc_update(0, p, n > 0 ? n : 0));
        return;
    }
    line_printf(l, " %s=", hexname);
    if (n <= 0)
        line_printf(l, "-");
    for (int i = 0; i < n; i++)
        line_printf(l, "%02x", p[i]);
}

static const char *ip4(uint32_t addr_network_order, char *buf)
{
    struct in_addr a = { .s_addr = addr_network_order };
    inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
    return buf;
}

/* An IPv6 address as RFC 5952 text: lowercase hex groups without leading
 * zeros, the longest run of two or more zero groups (the leftmost of equal
 * ones) as "::", and IPv4-mapped addresses (::ffff:0:0/96) as ::ffff:a.b.c.d.
 * Written here rather than taken from inet_ntop(), whose choices for other
 * embedded-IPv4 forms differ between C libraries. */
static const char *ip6(const unsigned char *a, char *buf)
{
    unsigned g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    if (!g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xffff) {
        sprintf(buf, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
        return buf;
    }
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (g[i]) { i++; continue; }
        int j = i;
        while (j < 8 && !g[j])
            j++;
        if (j - i > best_len) { best = i; best_len = j - i; }
        i = j;
    }
    if (best_len < 2)
        best = -1;
    char *p = buf;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            p += sprintf(p, "::");
            i += best_len - 1;
            continue;
        }
        p += sprintf(p, "%s%x", i && i != best + best_len ? ":" : "", g[i]);
    }
    *p = 0;
    return buf;
}

enum { ADDR_TEXT = 48 };

/* " A:ap B:bp": dotted IPv4, or bracketed IPv6 addresses (16 bytes each). */
static void line_addrs(struct line *l, int ipv6, const void *src, unsigned sport, const void *dst, unsigned dport)
{
    char s[ADDR_TEXT], d[ADDR_TEXT];
    if (ipv6)
        line_printf(l, " [%s]:%u [%s]:%u", ip6(src, s), sport, ip6(dst, d), dport);
    else
        line_printf(l, " %s:%u %s:%u", ip4(*(const uint32_t *)src, s), sport, ip4(*(const uint32_t *)dst, d), dport);
}

static void line_tuple(struct line *l, const struct tuple4 *t)
{
    line_addrs(l, 0, &t->saddr, t->source, &t->daddr, t->dest);
}

/* A TCP stream's addresses, IPv4 (addr) or IPv6 (addr6). */
static void line_stream(struct line *l, const struct tcp_stream *a_tcp)
{
    if (a_tcp->ipv6)
        line_addrs(l, 1, a_tcp->addr6.saddr, a_tcp->addr6.source, a_tcp->addr6.daddr, a_tcp->addr6.dest);
    else
        line_tuple(l, &a_tcp->addr);
}

/* Whether libnids handed over an IPv6 header (nids_params.ipv6 and version 6). */
static int is_ipv6(const void *iph)
{
    return nids_params.ipv6 && ((const unsigned char *)iph)[0] >> 4 == 6;
}

/* The length of an IP datagram: IPv4's total length, IPv6's 40 + payload length. */
static int ip_length(const struct ip *iph)
{
    const unsigned char *p = (const unsigned char *)iph;
    return is_ipv6(iph) ? 40 + (p[4] << 8 | p[5]) : ntohs(iph->ip_len);
}

/* ---- TCP ---- */

/* Per stream: the CRC-32 of everything delivered each way so far. */
struct stream_state {
    uint32_t cts_crc; /* client to server: bytes the server half received */
    uint32_t stc_crc; /* server to client: bytes the client half received */
};

static void tcp_callback(struct tcp_stream *a_tcp, void **param)
{
    struct stream_state *st = *param;
    struct line l = { 0 };

    switch (a_tcp->nids_state) {
    case NIDS_JUST_EST:
        a_tcp->client.collect++;
        a_tcp->server.collect++;
        a_tcp->client.collect_urg++;
        a_tcp->server.collect_urg++;
        st = calloc(1, sizeof *st);
        if (!st) {
            fputs("ERROR out of memory\n", out);
            exit(1);
        }
        *param = st;
        line_printf(&l, "TCP EST");
        line_stream(&l, a_tcp);
        if (a_tcp->midstream)
            line_printf(&l, " midstream=%d", a_tcp->midstream);
        line_emit(&l);
        return;

    case NIDS_DATA: {
        /* One half has news per call: urgent data, or in-band bytes. libnids
         * names a half after its receiver: the client half holds what the
         * server sent. */
        struct half_stream *halves[2] = { &a_tcp->server, &a_tcp->client };
        const char *to[2] = { "server", "client" };
        for (int i = 0; i < 2; i++) {
            struct half_stream *h = halves[i];
            if (h->count_new_urg) {
                line_printf(&l, "TCP URG");
                line_stream(&l, a_tcp);
                line_printf(&l, " to=%s byte=%02x", to[i], (unsigned char)h->urgdata);
                line_emit(&l);
            }
            if (h->count_new) {
                /* The new bytes are the last count_new of the count - offset held. */
                const unsigned char *p =
                    (const unsigned char *)h->data + (h->count - h->offset - h->count_new);
                line_printf(&l, "TCP DATA");
                line_stream(&l, a_tcp);
                line_printf(&l, " to=%s len=%d", to[i], h->count_new);
                if (h->gap_before > 0)
                    line_printf(&l, " gap=%lld", h->gap_before);
                line_bytes(&l, "crc32", "data", p, h->count_new);
                line_emit(&l);
                if (st) {
                    if (i == 0)
                        st->cts_crc = crc_update(st->cts_crc, p, h->count_new);
                    else
                        st->stc_crc = crc_update(st->stc_crc, p, h->count_new);
                }
            }
        }
        return;
    }

    case NIDS_CLOSE:
    case NIDS_RESET:
    case NIDS_TIMED_OUT:
    case NIDS_EXITING: {
        const char *what = a_tcp->nids_state == NIDS_CLOSE   ? "CLOSE"
                           : a_tcp->nids_state == NIDS_RESET ? "RESET"
                           : a_tcp->nids_state == NIDS_EXITING ? "EXITING"
                                                               : "TIMEOUT";
        line_printf(&l, "TCP %s", what);
        line_stream(&l, a_tcp);
        line_printf(&l, " cts=%d cts_crc32=%08x stc=%d stc_crc32=%08x", a_tcp->server.count,
                    st ? st->cts_crc : 0, a_tcp->client.count, st ? st->stc_crc : 0);
        if (a_tcp->server.gaps || a_tcp->client.gaps)
            line_printf(&l, " gaps=%d/%d missing=%lld/%lld", a_tcp->server.gaps, a_tcp->client.gaps,
                        a_tcp->server.missing, a_tcp->client.missing);
        line_emit(&l);
        free(st);
        *param = NULL;
        return;
    }

    default:
        line_printf(&l, "TCP STATE%d", a_tcp->nids_state);
        line_stream(&l, a_tcp);
        line_emit(&l);
    }
}

/* ---- UDP, IP, IP fragments ---- */

static void udp_callback(struct tuple4 *addr, u_char *data, int len, struct ip *iph)
{
    struct line l = { 0 };
    int iplen = ip_length(iph);
    line_printf(&l, "UDP");
    if (is_ipv6(iph))
        line_addrs(&l, 1, (const u_char *)iph + 8, addr->source, (const u_char *)iph + 24, addr->dest);
    else
        line_tuple(&l, addr);
    line_printf(&l, " len=%d", len);
    line_bytes(&l, "crc32", "data", data, len);
    line_printf(&l, " iplen=%d", iplen);
    line_bytes(&l, "ipcrc32", "ipdata", (const unsigned char *)iph, iplen);
    line_emit(&l);
}

/* libnids passes its sk_buff size as len; the datagram is ntohs(ip_len)
 * bytes, or 40 + payload length for IPv6. */
static void ip_callback(struct ip *iph, int skblen)
{
    (void)skblen;
    struct line l = { 0 };
    int len = ip_length(iph);
    line_printf(&l, "IP len=%d", len);
    line_bytes(&l, "crc32", "data", (const unsigned char *)iph, len);
    line_emit(&l);
}

/* Fragment callbacks get the bytes captured after the link header. */
static void frag_callback(struct ip *iph, int caplen)
{
    struct line l = { 0 };
    line_printf(&l, "FRAG len=%d", caplen);
    line_bytes(&l, "crc32", "data", (const unsigned char *)iph, caplen);
    line_emit(&l);
}

/* ---- warnings: libnids' nids_params.syslog, never syslog(3) ---- */

static const char *warning_kind(int type)
{
    switch (type) {
    case NIDS_WARN_IP: return "IP";
    case NIDS_WARN_TCP: return "TCP";
    case NIDS_WARN_UDP: return "UDP";
    case NIDS_WARN_SCAN: return "SCAN";
    default: return "UNKNOWN";
    }
}

static void warning_hook(int type, int errnum, struct ip *iph, void *data)
{
    if (!opt_warn)
        return;
    struct line l = { 0 };
    char s[ADDR_TEXT], d[ADDR_TEXT];
    if (type == NIDS_WARN_SCAN) {
        const struct host *h = data;
        if (h && h->ipv6)
            line_printf(&l, "WARN SCAN src=[%s] probes=%d", ip6(h->addr6, s), h->n_packets);
        else
            line_printf(&l, "WARN SCAN src=%s probes=%d", ip4(h ? h->addr : 0, s), h ? h->n_packets : 0);
        for (int i = 0; h && i < h->n_packets; i++) {
            if (h->ipv6)
                line_printf(&l, "%c[%s]:%u/%u", i ? ',' : ' ', ip6(h->packets6[i], d),
                            h->packets[i].port, h->packets[i].flags);
            else
                line_printf(&l, "%c%s:%u/%u", i ? ',' : ' ', ip4(h->packets[i].addr, d),
                            h->packets[i].port, h->packets[i].flags);
        }
        line_emit(&l);
        return;
    }
    unsigned sport = 0, dport = 0;
    if (type == NIDS_WARN_TCP && data && errnum != NIDS_WARN_TCP_HDR) {
        const struct tcphdr *th = data;
        sport = ntohs(th->th_sport);
        dport = ntohs(th->th_dport);
    }
    uint32_t saddr = iph ? iph->ip_src.s_addr : 0, daddr = iph ? iph->ip_dst.s_addr : 0;
    const char *message = errnum >= 0 && errnum <= NIDS_WARN_TCP_BADFLAGS ? nids_warnings[errnum] : "?";
    line_printf(&l, "WARN %s code=%d", warning_kind(type), errnum);
    if (iph && is_ipv6(iph))
        line_addrs(&l, 1, (const u_char *)iph + 8, sport, (const u_char *)iph + 24, dport);
    else
        line_addrs(&l, 0, &saddr, sport, &daddr, dport);
    line_printf(&l, " %s", message);
    line_emit(&l);
}

static void no_mem_hook(char *where)
{
    fflush(out);
    fprintf(out, "ERROR libnids ran out of memory in %s\n", where);
    exit(1);
}

/* ---- the run ---- */

static void packet_handler(u_char *user, const struct pcap_pkthdr *hdr, const u_char *bytes)
{
    packets++;
    nids_pcap_handler(user, (struct pcap_pkthdr *)hdr, (u_char *)bytes);
}

static void usage(void)
{
    fputs("usage: nids_dump [--no-checksum] [--no-ipv6] [--udp] [--ip] [--frag] [--warn] [--hex] [--gaps] [--midstream] CAPTURE\n", stderr);
    exit(2);
}

/* Parses a command line and starts libnids (the current engine) on its
 * capture: the capture, or NULL after an ERROR line or usage error, with the
 * exit status in *status. */
static pcap_t *dump_start(int argc, char **argv, int *status)
{
    const char *file = NULL;
    if (!out)
        out = stdout;
    opt_midstream = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--no-checksum")) opt_no_checksum = 1;
        else if (!strcmp(a, "--no-ipv6")) opt_no_ipv6 = 1;
        else if (!strcmp(a, "--udp")) opt_udp = 1;
        else if (!strcmp(a, "--ip")) opt_ip = 1;
        else if (!strcmp(a, "--frag")) opt_frag = 1;
        else if (!strcmp(a, "--warn")) opt_warn = 1;
        else if (!strcmp(a, "--hex")) opt_hex = 1;
        else if (!strcmp(a, "--gaps")) opt_gaps = 1;
        else if (!strcmp(a, "--midstream")) opt_midstream = 1;
        else if (!strcmp(a, "--")) { if (i + 2 != argc) usage(); file = argv[++i]; }
        else if (a[0] == '-' && a[1]) usage();
        else if (file) usage();
        else file = a;
    }
    if (!file)
        usage();
    crc_init();
    *status = 1;

    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline(file, errbuf);
    if (!p) {
        fprintf(out, "ERROR cannot read capture: %s\n", errbuf);
        return NULL;
    }

    static struct nids_chksum_ctl everything = { 0, 0, NIDS_DONT_CHKSUM, 0 };
    static struct nids_chksum_ctl6 everything6 = { { 0 }, { 0 }, NIDS_DONT_CHKSUM, 0 };
    if (opt_no_checksum) {
        nids_register_chksum_ctl(&everything, 1);
        nids_register_chksum_ctl6(&everything6, 1);
    }
    if (opt_no_ipv6)
        nids_params.ipv6 = 0;
    nids_params.pcap_desc = p;
    nids_params.tcp_gaps = opt_gaps ? NIDS_TCP_GAPS_SKIP : NIDS_TCP_GAPS_WAIT;
    nids_params.syslog = (void (*)())warning_hook;
    nids_params.no_mem = no_mem_hook;
    if (!opt_warn)
        nids_params.scan_num_hosts = 0;
    nids_params.tcp_midstream = opt_midstream;
    if (!nids_init()) {
        fprintf(out, "ERROR libnids could not start: %s\n", nids_errbuf);
        pcap_close(p);
        return NULL;
    }
    nids_register_tcp((void *)tcp_callback);
    if (opt_udp)
        nids_register_udp((void *)udp_callback);
    if (opt_ip)
        nids_register_ip((void *)ip_callback);
    if (opt_frag)
        nids_register_ip_frag((void *)frag_callback);
    *status = 0;
    return p;
}

/* Reads up to cnt records (-1: all that are buffered): pcap_dispatch()'s result. */
static int dump_read(pcap_t *p, int cnt)
{
    return pcap_dispatch(p, cnt, packet_handler, NULL);
}

/* Ends the run after dump_read() returned r <= 0: open streams, then END or
 * ERROR. Returns the exit status. */
static int dump_end(pcap_t *p, int r)
{
    char error[PCAP_ERRBUF_SIZE + 16] = "";
    if (r < 0)
        snprintf(error, sizeof error, "%s", pcap_geterr(p));

    buffering = 1;
    nids_exit(); /* open streams get NIDS_EXITING; pcap_desc stays open */
    flush_held();
    pcap_close(p);
    nids_params.pcap_desc = NULL;

    if (r < 0) {
        fprintf(out, "ERROR %s\n", error);
        fflush(out);
        return 1;
    }
    fprintf(out, "END packets=%lld\n", packets);
    fflush(out);
    return 0;
}

int main(int argc, char **argv)
{
    int status;
    pcap_t *p = dump_start(argc, argv, &status);
    if (!p)
        return status;
    /* nids_run() in libnids' way (read to the end, then nids_exit()), with the
     * packets counted and a read error reported rather than taken for the end. */
    int r;
    do
        r = dump_read(p, -1);
    while (r > 0);
    return dump_end(p, r);
}

/* In a sanitized build (make SANITIZE=address,...): libnids 1.26 leaks a few
 * records per session (port-scan records, the heads of its callback lists), and
 * a leak report at exit would fail the tool, so leak detection is off. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
