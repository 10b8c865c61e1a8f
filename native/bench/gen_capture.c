/*
 * gen_capture: writes a deterministic, TCP-heavy Ethernet pcap for jnids'
 * benchmark.
 *
 *   gen_capture -o out.pcap [-s SIZE] [-c CONCURRENT] [-S SEED] [-6] [-q]
 *
 * -6 writes the same traffic over IPv6: every IPv4 address a.b.c.d becomes
 * 2001:db8::a.b.c.d (its last 32 bits), TCP segments and UDP datagrams are
 * the same bytes (checksums over the IPv6 pseudo-header), and a fragmented
 * UDP datagram becomes IPv6 fragments (Fragment header) of the same offsets;
 * only the headers differ (40 bytes instead of 20, 48 for fragments).
 *
 * SIZE accepts K, M and G suffixes (default 1G); generation stops opening new
 * flows once SIZE bytes are written and then lets every open flow finish, so
 * the file ends slightly above SIZE. CONCURRENT (default 4000) flows are open
 * at any time. The same arguments always give the same bytes.
 *
 * Each TCP flow is an HTTP-like exchange between a client (10.x.y.z) and a
 * server (192.168.x.y:80/443/8080): a three-way handshake with MSS options,
 * 1 to 4 request/response exchanges of MSS-sized segments (responses of 512 B
 * to 160 KB, log-uniform), delayed ACKs every second segment and duplicate
 * ACKs on out-of-order arrival, then a FIN close (3 % end with a RST instead).
 * Segments are lost (0.6 %, retransmitted 2 to 10 segments later), reordered
 * (1 %, swapped with the next one) and spuriously retransmitted (0.4 %). The
 * sender never runs more than 60000 bytes ahead of the receiver's last ACK,
 * so libnids' window check and out-of-order queue limit are never hit. About
 * 3 % of packets are UDP datagrams (DNS-like and media-like), a few of them
 * large and fragmented. Every IP, TCP and UDP checksum is valid.
 *
 * A summary (packets, flows, TCP payload bytes per direction, UDP datagrams)
 * goes to stderr, in the key=value form bench/run.sh checks results against.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MSS 1460
#define WINDOW 65535
#define WINDOW_GUARD 60000
#define PAT_SIZE (1u << 20)
#define P_LOSS 0.006
#define P_REORDER 0.010
#define P_DUP 0.004
#define P_RST 0.03
#define P_UDP 0.03

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

static uint8_t pat[PAT_SIZE + 65536];
static int ipv6;    /* -6 */
static uint64_t rng_state;

static inline uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static inline uint32_t rndn(uint32_t n) { return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32); }
static inline double rndf(void) { return (double)(rnd() >> 11) * 0x1.0p-53; }

/* ---- output --------------------------------------------------------------- */

static FILE *out;
/* as_ipv4: the bytes the capture would have over IPv4, which decide when
 * generation stops, so that -6 writes the same flows */
static uint64_t as_ipv4, header_extra;
static uint64_t bytes_written, packets_written, ts_usec = 1700000000ull * 1000000ull;
static uint16_t ip_id;
static uint8_t frame[65536 + 64];

static inline void put16(uint8_t *p, uint32_t v) { p[0] = v >> 8; p[1] = v; }
static inline void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static inline void le32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

static uint64_t sum16(const uint8_t *p, size_t n, uint64_t acc)
{
    while (n > 1) {
        acc += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n)
        acc += (uint32_t)p[0] << 8;
    return acc;
}

static uint16_t fold(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

/* Writes the record header and frame[0..len). */
static void write_frame(size_t len)
{
    uint8_t rec[16];
    ts_usec += 1 + rndn(8);
    le32(rec, (uint32_t)(ts_usec / 1000000));
    le32(rec + 4, (uint32_t)(ts_usec % 1000000));
    le32(rec + 8, (uint32_t)len);
    le32(rec + 12, (uint32_t)len);
    if (fwrite(rec, 1, 16, out) != 16 || fwrite(frame, 1, len, out) != len) {
        perror("gen_capture: write");
        exit(1);
    }
    bytes_written += 16 + len;
    as_ipv4 += 16 + len - header_extra;
    packets_written++;
}

/* The IP header's length: IPv4's 20, IPv6's 40, 48 with a Fragment header
 * (frag_field: IPv4's flags and offset field; DF alone is no fragment). */
static int ip_hlen(int frag_field)
{
    return !ipv6 ? 20 : (frag_field & 0x3fff) ? 48 : 40;
}

/* The sum of the pseudo header's addresses (IPv4, or the IPv6 addresses
 * 2001:db8::/96 + the IPv4 ones). */
static uint64_t pseudo_addr_sum(const uint8_t *ip)
{
    return ipv6 ? sum16(ip + 8, 32, 0) : sum16(ip + 12, 8, 0);
}

/* Fills the Ethernet and IPv6 (Fragment) headers for ip_header(). */
static uint8_t *ip6_header(uint32_t src, uint32_t dst, int proto, int ip_len, int frag_field)
{
    uint8_t *ip = frame + 14;
    int hl = ip_hlen(frag_field);
    header_extra = hl - 20;
    frame[12] = 0x86;
    frame[13] = 0xdd;
    memset(ip, 0, hl);
    ip[0] = 0x60;
    put16(ip + 4, ip_len - 40);
    ip[6] = hl == 48 ? 44 : proto;
    ip[7] = 64;
    put32(ip + 8, 0x20010db8);
    put32(ip + 20, src);
    put32(ip + 24, 0x20010db8);
    put32(ip + 36, dst);
    if (hl == 48) {
        ip[40] = proto;
        put16(ip + 42, (frag_field & 0x1fff) << 3 | ((frag_field & 0x2000) ? 1 : 0));
        put32(ip + 44, ip_id++);
    } else {
        ip_id++;
    }
    return ip;
}

/* Fills the Ethernet and IP headers (ip_len counts the IP header as
 * ip_hlen() says); returns the IP header's address. */
static uint8_t *ip_header(uint32_t src, uint32_t dst, int proto, int ip_len, int frag_field)
{
    uint8_t *e = frame;
    static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 1}, mac_b[6] = {0x02, 0, 0, 0, 0, 2};
    memcpy(e, mac_a, 6);
    memcpy(e + 6, mac_b, 6);
    if (ipv6)
        return ip6_header(src, dst, proto, ip_len, frag_field);
    e[12] = 0x08;
    e[13] = 0x00;
    uint8_t *ip = frame + 14;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, ip_len);
    put16(ip + 4, ip_id++);
    put16(ip + 6, frag_field);
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, fold(sum16(ip, 20, 0)));
    return ip;
}

static void emit_tcp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                     int flags, const uint8_t *payload, int len)
{
    int opt = (flags & F_SYN) ? 4 : 0;
    int tcp_len = 20 + opt + len;
    int hl = ip_hlen(0x4000);
    uint8_t *ip = ip_header(src, dst, 6, hl + tcp_len, 0x4000);
    uint8_t *t = ip + hl;
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, (flags & F_ACK) ? ack : 0);
    t[12] = (uint8_t)((5 + opt / 4) << 4);
    t[13] = (uint8_t)flags;
    put16(t + 14, WINDOW);
    put16(t + 16, 0);
    put16(t + 18, 0);
    if (opt) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, MSS);
    }
    if (len)
        memcpy(t + 20 + opt, payload, len);
    uint64_t acc = pseudo_addr_sum(ip) + 6 + (uint32_t)tcp_len;
    acc = sum16(t, tcp_len, acc);
    put16(t + 16, fold(acc));
    write_frame(14 + hl + tcp_len);
}

/* ---- UDP ------------------------------------------------------------------ */

static uint64_t udp_datagrams, udp_payload_bytes, udp_fragmented, ip_datagrams;

static void emit_udp(void)
{
    uint32_t src = 0x0a000000u | (1 + rndn(0x3ffffe));
    uint32_t dst;
    uint16_t sport = 1024 + rndn(60000), dport;
    int len;
    uint32_t kind = rndn(100);
    if (kind < 60) {
        dst = 0xac100000u | (1 + rndn(16));       /* 172.16.0.x:53, DNS-like */
        dport = 53;
        len = 24 + rndn(280);
    } else if (kind < 97) {
        dst = 0xac110000u | (1 + rndn(200));      /* 172.17.0.x:5004, media-like */
        dport = 5004;
        len = 160 + rndn(1100);
    } else {
        dst = 0xac120000u | (1 + rndn(50));       /* large, fragmented */
        dport = 7000;
        len = 2000 + rndn(6000);
    }
    static uint8_t dgram[8 + 8192];
    uint32_t base = rndn(PAT_SIZE);
    int udp_len = 8 + len;
    put16(dgram, sport);
    put16(dgram + 2, dport);
    put16(dgram + 4, udp_len);
    put16(dgram + 6, 0);
    memcpy(dgram + 8, pat + base, len);
    uint8_t pseudo[32] = {0};
    if (ipv6) {
        put32(pseudo, 0x20010db8);
        put32(pseudo + 12, src);
        put32(pseudo + 16, 0x20010db8);
        put32(pseudo + 28, dst);
    } else {
        put32(pseudo, src);
        put32(pseudo + 4, dst);
    }
    uint64_t acc = sum16(pseudo, ipv6 ? 32 : 8, 0) + 17 + (uint32_t)udp_len;
    uint16_t c = fold(sum16(dgram, udp_len, acc));
    put16(dgram + 6, c ? c : 0xffff);

    udp_datagrams++;
    ip_datagrams++;
    udp_payload_bytes += len;
    if (udp_len + 20 <= 1500) {
        int hl = ip_hlen(0);
        uint8_t *ip = ip_header(src, dst, 17, hl + udp_len, 0);
        memcpy(ip + hl, dgram, udp_len);
        write_frame(14 + hl + udp_len);
        return;
    }
    /* Fragments of 1480 bytes, the last one first now and then. */
    udp_fragmented++;
    int nfrag = (udp_len + 1479) / 1480;
    int reverse = rndn(4) == 0;
    uint16_t id = ip_id;
    for (int k = 0; k < nfrag; k++) {
        int i = reverse ? nfrag - 1 - k : k;
        int off = i * 1480;
        int n = udp_len - off < 1480 ? udp_len - off : 1480;
        int more = i < nfrag - 1;
        ip_id = id;
        int field = (more ? 0x2000 : 0) | (off / 8);
        int hl = ip_hlen(field);
        uint8_t *ip = ip_header(src, dst, 17, hl + n, field);
        memcpy(ip + hl, dgram + off, n);
        write_frame(14 + hl + n);
    }
    ip_id = id + 1;
}

/* ---- TCP flows ------------------------------------------------------------ */

typedef struct {
    uint32_t seq, ack;
    uint32_t off;   /* payload: stream offset of the first byte */
    uint16_t len;
    uint8_t dir;    /* 0: client to server, 1: server to client */
    uint8_t flags;
} pkt_t;

typedef struct {
    uint32_t addr[2];
    uint16_t port[2];
    uint32_t isn[2];
    uint32_t pat_base[2];
    uint32_t sent[2];      /* bytes of each direction's stream put into the plan */
    uint32_t cum[2];       /* contiguous bytes of direction d the receiver holds */
    uint32_t acked[2];     /* what the receiver of d last acknowledged (offset) */
    int unacked_segs[2];
    int exchanges_left;
    int phase;             /* 0 handshake, 1 exchanges, 2 close, 3 done */
    pkt_t *q;
    int qlen, qpos, qcap;
} flow_t;

static uint64_t tcp_flows, tcp_rst_flows, tcp_bytes[2], tcp_packets;

static void push(flow_t *f, int dir, int flags, uint32_t off, int len)
{
    if (f->qlen == f->qcap) {
        f->qcap = f->qcap ? f->qcap * 2 : 64;
        f->q = realloc(f->q, f->qcap * sizeof *f->q);
        if (!f->q) {
            perror("gen_capture");
            exit(1);
        }
    }
    pkt_t *p = &f->q[f->qlen++];
    p->dir = dir;
    p->flags = flags;
    p->off = off;
    p->len = len;
    int other = 1 - dir;
    p->seq = (flags & F_SYN) ? f->isn[dir] : f->isn[dir] + 1 + off;
    p->ack = f->isn[other] + 1 + f->cum[other];
}

/* The receiver of direction d acknowledges what it holds contiguously. */
static void push_ack(flow_t *f, int d)
{
    int r = 1 - d;
    push(f, r, F_ACK, f->sent[r], 0);
    f->acked[d] = f->cum[d];
    f->unacked_segs[d] = 0;
}

/* Segment bookkeeping of one message in flight. */
typedef struct {
    uint32_t base;          /* stream offset of the message */
    int nseg;
    uint8_t *got;           /* per segment: the receiver has it */
    int *delayed;           /* lost segments waiting for their retransmission */
    int *due;
    int ndelayed;
    int emitted;
} msg_t;

static void seg_range(const msg_t *m, uint32_t total, int i, uint32_t *off, int *len)
{
    *off = m->base + (uint32_t)i * MSS;
    uint32_t end = m->base + total;
    *len = (int)((end - *off) < MSS ? end - *off : MSS);
}

static void deliver(flow_t *f, int d, msg_t *m, uint32_t total, int i, int last)
{
    uint32_t off;
    int len;
    seg_range(m, total, i, &off, &len);
    push(f, d, F_ACK | (last ? F_PSH : 0), off, len);
    m->emitted++;
    int fresh = !m->got[i];
    m->got[i] = 1;
    uint32_t before = f->cum[d];
    /* advance the contiguous pointer over held segments */
    while (f->cum[d] < m->base + total) {
        int j = (int)((f->cum[d] - m->base) / MSS);
        if (!m->got[j])
            break;
        uint32_t o;
        int l;
        seg_range(m, total, j, &o, &l);
        f->cum[d] = o + l;
    }
    if (fresh)
        f->unacked_segs[d]++;
    if (f->cum[d] == before || !fresh) {
        push_ack(f, d);                        /* duplicate ACK */
    } else if (f->unacked_segs[d] >= 2) {
        push_ack(f, d);                        /* delayed ACK */
    }
}

static void flush_delayed(flow_t *f, int d, msg_t *m, uint32_t total, int all)
{
    int k = 0;
    for (int i = 0; i < m->ndelayed; i++) {
        if (all || m->due[i] <= m->emitted)
            deliver(f, d, m, total, m->delayed[i], 0);
        else {
            m->delayed[k] = m->delayed[i];
            m->due[k] = m->due[i];
            k++;
        }
    }
    m->ndelayed = k;
}

/* Plans a message of total bytes in direction d, with loss, reordering and
 * spurious retransmission, and the receiver's ACKs. */
static void plan_message(flow_t *f, int d, uint32_t total)
{
    msg_t m = {0};
    m.base = f->sent[d];
    m.nseg = (int)((total + MSS - 1) / MSS);
    m.got = calloc(m.nseg, 1);
    m.delayed = malloc(sizeof(int) * (m.nseg + 1));
    m.due = malloc(sizeof(int) * (m.nseg + 1));
    int dups[64], dup_due[64], ndups = 0;
    for (int i = 0; i < m.nseg; i++) {
        uint32_t off;
        int len;
        seg_range(&m, total, i, &off, &len);
        if (off + len - f->acked[d] > WINDOW_GUARD) {
            flush_delayed(f, d, &m, total, 1);
            if (f->cum[d] != f->acked[d])
                push_ack(f, d);
        }
        double r = rndf();
        int last = i == m.nseg - 1;
        if (r < P_LOSS) {
            m.delayed[m.ndelayed] = i;
            m.due[m.ndelayed++] = m.emitted + 2 + (int)rndn(9);
        } else if (r < P_LOSS + P_REORDER && !last) {
            uint32_t o2;
            int l2;
            seg_range(&m, total, i + 1, &o2, &l2);
            if (o2 + l2 - f->acked[d] > WINDOW_GUARD) {
                deliver(f, d, &m, total, i, last);
            } else {
                deliver(f, d, &m, total, i + 1, i + 1 == m.nseg - 1);
                deliver(f, d, &m, total, i, 0);
                i++;
            }
        } else {
            deliver(f, d, &m, total, i, last);
        }
        if (rndf() < P_DUP && ndups < 64) {
            dups[ndups] = i;
            dup_due[ndups++] = m.emitted + 1 + (int)rndn(6);
        }
        flush_delayed(f, d, &m, total, 0);
        for (int k = 0; k < ndups;) {
            if (dup_due[k] <= m.emitted && m.got[dups[k]]) {
                seg_range(&m, total, dups[k], &off, &len);
                push(f, d, F_ACK, off, len);
                push_ack(f, d);
                ndups--;
                dups[k] = dups[ndups];
                dup_due[k] = dup_due[ndups];
            } else {
                k++;
            }
        }
    }
    flush_delayed(f, d, &m, total, 1);
    if (f->cum[d] != f->acked[d])
        push_ack(f, d);
    f->sent[d] += total;
    tcp_bytes[d] += total;
    free(m.got);
    free(m.delayed);
    free(m.due);
}

static uint32_t log_uniform(double lo, double hi)
{
    double x = lo * exp(log(hi / lo) * rndf());
    return (uint32_t)x;
}

static void start_flow(flow_t *f, uint64_t id)
{
    free(f->q);
    memset(f, 0, sizeof *f);
    uint32_t client = (uint32_t)(id % 40000);
    f->addr[0] = 0x0a000000u | ((client * 2654435761u) & 0x3fffff) | 0x10000;
    f->port[0] = (uint16_t)(1024 + (id / 40000 * 7919 + client) % 60000);
    f->addr[1] = 0xc0a80000u | (rndn(4) << 8) | (1 + rndn(250));
    static const uint16_t ports[] = {80, 443, 8080, 80};
    f->port[1] = ports[rndn(4)];
    f->isn[0] = (uint32_t)rnd();
    f->isn[1] = (uint32_t)rnd();
    f->pat_base[0] = rndn(PAT_SIZE);
    f->pat_base[1] = rndn(PAT_SIZE);
    uint32_t r = rndn(100);
    f->exchanges_left = r < 70 ? 1 : r < 90 ? 2 : r < 96 ? 3 : 4;
    tcp_flows++;
}

/* Fills the flow's queue with its next phase; returns 0 when it is done. */
static int refill(flow_t *f)
{
    f->qlen = f->qpos = 0;
    switch (f->phase) {
    case 0:
        push(f, 0, F_SYN, 0, 0);
        push(f, 1, F_SYN | F_ACK, 0, 0);
        push(f, 0, F_ACK, 0, 0);
        f->phase = 1;
        return 1;
    case 1: {
        uint32_t req = rndn(10) == 0 ? 2000 + rndn(20000) : 120 + rndn(1200);
        uint32_t resp = log_uniform(512, 160 * 1024);
        plan_message(f, 0, req);
        plan_message(f, 1, resp);
        if (--f->exchanges_left == 0)
            f->phase = 2;
        return 1;
    }
    case 2:
        if (rndf() < P_RST) {
            push(f, 1, F_RST | F_ACK, f->sent[1], 0);
            tcp_rst_flows++;
        } else {
            push(f, 0, F_FIN | F_ACK, f->sent[0], 0);
            f->cum[0]++;                  /* the FIN takes a sequence number */
            push(f, 1, F_FIN | F_ACK, f->sent[1], 0);
            f->cum[1]++;
            push(f, 0, F_ACK, f->sent[0] + 1, 0);
        }
        f->phase = 3;
        return 1;
    default:
        return 0;
    }
}

/* Emits the flow's next packet; returns 0 when the flow has ended. */
static int step(flow_t *f)
{
    if (f->qpos == f->qlen && !refill(f))
        return 0;
    pkt_t *p = &f->q[f->qpos++];
    int d = p->dir;
    const uint8_t *payload = p->len ? pat + (f->pat_base[d] + p->off) % PAT_SIZE : NULL;
    emit_tcp(f->addr[d], f->addr[1 - d], f->port[d], f->port[1 - d], p->seq, p->ack, p->flags, payload, p->len);
    tcp_packets++;
    ip_datagrams++;
    return 1;
}

static uint64_t parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    switch (*end) {
    case 'k': case 'K': v *= 1024; break;
    case 'm': case 'M': v *= 1024 * 1024; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
    case 0: break;
    default:
        fprintf(stderr, "gen_capture: bad size '%s'\n", s);
        exit(2);
    }
    return (uint64_t)v;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    uint64_t target = 1ull << 30, seed = 7;
    int conc = 4000, quiet = 0, c;
    while ((c = getopt(argc, argv, "o:s:c:S:6q")) != -1) {
        switch (c) {
        case '6': ipv6 = 1; break;
        case 'o': path = optarg; break;
        case 's': target = parse_size(optarg); break;
        case 'c': conc = atoi(optarg); break;
        case 'S': seed = strtoull(optarg, NULL, 0); break;
        case 'q': quiet = 1; break;
        default:
            fprintf(stderr, "usage: gen_capture -o out.pcap [-s SIZE] [-c CONCURRENT] [-S SEED] [-6] [-q]\n");
            return 2;
        }
    }
    if (!path || conc < 1) {
        fprintf(stderr, "usage: gen_capture -o out.pcap [-s SIZE] [-c CONCURRENT] [-S SEED] [-6] [-q]\n");
        return 2;
    }
    rng_state = seed;
    for (size_t i = 0; i < PAT_SIZE; i += 8) {
        uint64_t v = rnd();
        memcpy(pat + i, &v, 8);
    }
    memcpy(pat + PAT_SIZE, pat, 65536);

    out = fopen(path, "wb");
    if (!out) {
        perror(path);
        return 1;
    }
    static char iobuf[1 << 20];
    setvbuf(out, iobuf, _IOFBF, sizeof iobuf);
    uint8_t gh[24];
    le32(gh, 0xa1b2c3d4);
    gh[4] = 2; gh[5] = 0; gh[6] = 4; gh[7] = 0;
    le32(gh + 8, 0);
    le32(gh + 12, 0);
    le32(gh + 16, 65535);
    le32(gh + 20, 1);
    fwrite(gh, 1, 24, out);
    bytes_written = as_ipv4 = 24;

    flow_t *flows = calloc(conc, sizeof *flows);
    int nactive = 0, stopping = 0, max_active = 0;
    uint64_t next_id = 0;
    while (!stopping || nactive > 0) {
        if (!stopping && as_ipv4 >= target)
            stopping = 1;
        while (!stopping && nactive < conc)
            start_flow(&flows[nactive++], next_id++);
        if (nactive > max_active)
            max_active = nactive;
        if (!stopping && rndf() < P_UDP) {
            emit_udp();
            continue;
        }
        if (nactive == 0)
            break;
        int i = (int)rndn(nactive);
        if (!step(&flows[i])) {
            flow_t tmp = flows[i];
            flows[i] = flows[nactive - 1];
            flows[nactive - 1] = tmp;
            nactive--;
        }
    }
    if (fclose(out) != 0) {
        perror(path);
        return 1;
    }
    if (!quiet)
        fprintf(stderr,
                "file=%s bytes=%" PRIu64 " packets=%" PRIu64 " tcp_packets=%" PRIu64 " tcp_flows=%" PRIu64
                " tcp_rst_flows=%" PRIu64 " tcp_bytes_c2s=%" PRIu64 " tcp_bytes_s2c=%" PRIu64
                " tcp_bytes=%" PRIu64 " udp_datagrams=%" PRIu64 " udp_fragmented=%" PRIu64
                " udp_payload_bytes=%" PRIu64 " ip_datagrams=%" PRIu64 " max_concurrent=%d\n",
                path, bytes_written, packets_written, tcp_packets, tcp_flows, tcp_rst_flows, tcp_bytes[0],
                tcp_bytes[1], tcp_bytes[0] + tcp_bytes[1], udp_datagrams, udp_fragmented, udp_payload_bytes,
                ip_datagrams, max_active);
    for (int i = 0; i < conc; i++)
        free(flows[i].q);
    free(flows);
    return 0;
}
