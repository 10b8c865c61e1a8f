/*
 * ip6frag_test: libnids' IPv6 fragment reassembly (ip6_defrag_stub(),
 * patches 0030-0032; the contract is in ip6_fragment.h) fed fragments built
 * byte by byte, inside engines opened with nids_init() on a dead pcap handle
 * as a session opens them. Each fragment is handed over in a buffer of
 * exactly its length, so that a sanitizer catches any read past it.
 *
 *   ip6frag_test            prints "ok ip6frag: N checks", or what failed
 *
 * Checks: fragments in order, reversed, shuffled; exact duplicates; the
 * overlaps of RFC 5722 (warning, datagram dropped with its later fragments
 * until the timeout); atomic fragments (RFC 6946) beside a queue of the same
 * id; unfragmentable extension headers (the first fragment's kept); the
 * timeout on the packets' clock; the memory bounds per destination host and
 * per engine; malformed lengths and contradictory arguments; many datagrams
 * at once; two engines that do not see each other's fragments; nothing left
 * after nids_exit().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <pcap.h>

#include <nids.h>
#include <libnids/ip6_fragment.h>

static int checks, failures;

#define CHECK(cond)                                                          \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            fprintf(stderr, "ip6frag_test: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                      \
        }                                                                    \
    } while (0)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* ---- warnings ---------------------------------------------------------- */

static int warn_count[16], warn_bad;

static void on_warning(int type, int code, struct ip *iph, void *data)
{
    const u_char *p = (const u_char *) iph;
    if (type != NIDS_WARN_IP || code < 0 || code >= 16 || !p || (p[0] >> 4) != 6 || data)
        warn_bad++;
    else
        warn_count[code]++;
}

static void clear_warnings(void)
{
    memset(warn_count, 0, sizeof warn_count);
    warn_bad = 0;
}

static int warnings(void)
{
    int n = warn_bad;
    for (int i = 0; i < 16; i++)
        n += warn_count[i];
    return n;
}

static void on_no_mem(char *where)
{
    fprintf(stderr, "ip6frag_test: out of memory in %s\n", where);
    abort();
}

/* ---- engines and the packets' clock ------------------------------------ */

struct eng {
    struct nids_engine *e;
    pcap_t *pcap;
    struct pcap_pkthdr hdr;
};

static void eng_open(struct eng *g, int n_hosts)
{
    memset(g, 0, sizeof *g);
    g->e = nids_engine_new();
    if (!g->e)
        on_no_mem("nids_engine_new");
    nids_engine_use(g->e);
    g->pcap = pcap_open_dead(DLT_RAW, 65535);
    nids_params.pcap_desc = g->pcap;
    nids_params.syslog = on_warning;
    nids_params.no_mem = on_no_mem;
    nids_params.scan_num_hosts = 0;
    nids_params.n_hosts = n_hosts;
    if (!nids_init()) {
        fprintf(stderr, "ip6frag_test: nids_init: %s\n", nids_errbuf);
        exit(1);
    }
    g->hdr.ts.tv_sec = 1000000;
    nids_last_pcap_header = &g->hdr;
}

static void eng_use(struct eng *g)
{
    nids_engine_use(g->e);
}

/* Frees the engine open, with whatever it holds (LeakSanitizer checks). */
static void eng_close(struct eng *g)
{
    nids_engine_use(NULL);
    nids_engine_free(g->e);
    pcap_close(g->pcap);
    g->e = NULL;
}

static void set_time(struct eng *g, long sec, long usec)
{
    g->hdr.ts.tv_sec = sec;
    g->hdr.ts.tv_usec = usec;
}

/* ---- datagrams and their fragments -------------------------------------- */

struct dgram {
    u_char src[16], dst[16];
    uint32_t id;
    int nh;                 /* upper layer */
    int n_ext;              /* unfragmentable extension headers, 8 bytes each */
    int ext[4];
    int plen;               /* fragmentable part */
    u_char payload[65536];
};

static void addr(u_char *a, int net, int host)
{
    memset(a, 0, 16);
    a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
    a[4] = (u_char) (net >> 8); a[5] = (u_char) net;
    a[12] = (u_char) (host >> 24); a[13] = (u_char) (host >> 16);
    a[14] = (u_char) (host >> 8); a[15] = (u_char) host;
}

static struct dgram *dgram_new(int net, int s, int d, uint32_t id, int plen, unsigned seed)
{
    struct dgram *g = calloc(1, sizeof *g);
    if (!g)
        on_no_mem("dgram_new");
    addr(g->src, net, s);
    addr(g->dst, net, d);
    g->id = id;
    g->nh = 17;
    g->plen = plen;
    for (int i = 0; i < plen; i++) {
        seed = seed * 1103515245u + 12345u;
        g->payload[i] = (u_char) (seed >> 16);
    }
    return g;
}

/* The unfragmentable part: IPv6 header, extension headers; the last
   next-header field set to `last`. Returns its length. */
static int put_unfrag(u_char *p, const struct dgram *g, const int *ext, int n_ext, int last, int plen)
{
    memset(p, 0, 40 + 8 * n_ext);
    p[0] = 0x60;
    p[1] = 0x01; p[2] = 0x23; p[3] = 0x45;      /* traffic class, flow label */
    p[4] = (u_char) (plen >> 8);
    p[5] = (u_char) plen;
    p[7] = 64;
    memcpy(p + 8, g->src, 16);
    memcpy(p + 24, g->dst, 16);
    int field = 6, pos = 40;
    for (int i = 0; i < n_ext; i++) {
        p[field] = (u_char) ext[i];
        u_char *h = p + pos;
        h[1] = 0;                               /* 8 bytes (AH: 2 words + 2) */
        if (ext[i] == 0 || ext[i] == 60) {
            h[2] = 1; h[3] = 4;                 /* PadN */
        } else if (ext[i] == 43) {
            h[2] = 4; h[3] = 0;                 /* routing type 4, no segments left */
        } else if (ext[i] == 51) {
            h[4] = 0xaa; h[7] = 0x01;           /* SPI */
        }
        field = pos;
        pos += 8;
    }
    p[field] = (u_char) last;
    return pos;
}

/* A fragment of g: [offset, offset + len) of its fragmentable part, with the
   unfragmentable headers `ext`. Returns a malloc'd buffer of exactly *plen. */
static u_char *frag_ext(const struct dgram *g, const int *ext, int n_ext, int offset, int len,
                        int more, int *flen, int *foff)
{
    int ulen = 40 + 8 * n_ext;
    int total = ulen + 8 + len;
    u_char *p = malloc(total);
    if (!p)
        on_no_mem("frag");
    put_unfrag(p, g, ext, n_ext, 44, total - 40);
    u_char *fh = p + ulen;
    fh[0] = (u_char) g->nh;
    fh[1] = 0;
    fh[2] = (u_char) (offset >> 8);
    fh[3] = (u_char) ((offset & 0xf8) | (more ? 1 : 0));
    fh[4] = (u_char) (g->id >> 24); fh[5] = (u_char) (g->id >> 16);
    fh[6] = (u_char) (g->id >> 8); fh[7] = (u_char) g->id;
    memcpy(fh + 8, g->payload + offset, len);
    *flen = total;
    *foff = ulen;
    return p;
}

static u_char *last_out;
static int last_out_len;

/* Feeds one fragment; returns the stub's result, keeps what it returned. */
static int feed_buf(u_char *p, int len, int foff)
{
    u_char *out = (u_char *) 1;
    int out_len = -1;
    free(last_out);
    last_out = NULL;
    last_out_len = 0;
    int r = ip6_defrag_stub(p, len, foff, foff, &out, &out_len);
    free(p);
    if (r == IPF_NEW) {
        CHECK(out != NULL && out_len >= 40);
        last_out = out;
        last_out_len = out_len;
    } else {
        CHECK(r == IPF_ISF);
        CHECK(out == NULL && out_len == 0);
    }
    return r;
}

static int feed_ext(const struct dgram *g, const int *ext, int n_ext, int offset, int len, int more)
{
    int flen, foff;
    u_char *p = frag_ext(g, ext, n_ext, offset, len, more, &flen, &foff);
    return feed_buf(p, flen, foff);
}

static int feed(const struct dgram *g, int offset, int len, int more)
{
    int flen, foff;
    u_char *p = frag_ext(g, g->ext, g->n_ext, offset, len, more, &flen, &foff);
    return feed_buf(p, flen, foff);
}

/* Does the last output equal g reassembled (with the unfragmentable headers
   ext)? */
static int is_reassembled(const struct dgram *g, const int *ext, int n_ext)
{
    u_char want[40 + 32];
    int ulen = put_unfrag(want, g, ext, n_ext, g->nh, 8 * n_ext + g->plen);
    return last_out && last_out_len == ulen + g->plen && !memcmp(last_out, want, ulen) &&
           !memcmp(last_out + ulen, g->payload, g->plen);
}

static int reassembled(const struct dgram *g)
{
    return is_reassembled(g, g->ext, g->n_ext);
}

/* Sends g in fragments of `size` bytes in the order given by perm (indices
   of fragments); returns how many calls returned IPF_NEW, and checks that
   only the last one did. */
static int send_order(const struct dgram *g, int size, const int *perm, int n)
{
    int news = 0;
    for (int k = 0; k < n; k++) {
        int i = perm[k];
        int off = i * size;
        int len = off + size < g->plen ? size : g->plen - off;
        int r = feed(g, off, len, off + len < g->plen);
        if (r == IPF_NEW) {
            news++;
            CHECK(k == n - 1);
            CHECK(reassembled(g));
        }
    }
    return news;
}

static int nfrags(const struct dgram *g, int size)
{
    return (g->plen + size - 1) / size;
}

static unsigned rng = 12345;
static unsigned rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* ---- the cases ---------------------------------------------------------- */

static void test_orders(void)
{
    struct eng e;
    eng_open(&e, 256);
    clear_warnings();
    struct dgram *g = dgram_new(1, 1, 2, 0x11111111, 3000, 1);
    int perm[1024] = {0}, n = nfrags(g, 1232);

    for (int i = 0; i < n; i++)
        perm[i] = i;
    CHECK(send_order(g, 1232, perm, n) == 1);                 /* in order */
    for (int i = 0; i < n; i++)
        perm[i] = n - 1 - i;
    CHECK(send_order(g, 1232, perm, n) == 1);                 /* reversed */

    /* shuffled, 8-byte fragments and others, many times */
    int sizes[] = {8, 16, 64, 136, 1232};
    for (int s = 0; s < 5; s++) {
        for (int round = 0; round < 6; round++) {
            g->id++;
            n = nfrags(g, sizes[s]);
            for (int i = 0; i < n; i++)
                perm[i] = i;
            for (int i = n - 1; i > 0; i--) {
                int j = rnd() % (i + 1), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            CHECK(send_order(g, sizes[s], perm, n) == 1);
        }
    }
    /* the unfragmentable part: hop-by-hop, destination options, routing,
       AH before the Fragment header; the first fragment's is the one kept,
       whatever the others carry */
    free(g);
    g = dgram_new(1, 3, 4, 7, 2000, 2);
    g->nh = 6;
    int ext1[] = {0, 60, 43, 51};
    int other[] = {60};
    CHECK(feed_ext(g, other, 1, 1000, 1000, 0) == IPF_ISF);
    CHECK(feed_ext(g, NULL, 0, 504, 496, 1) == IPF_ISF);
    CHECK(feed_ext(g, ext1, 4, 0, 504, 1) == IPF_NEW);
    CHECK(is_reassembled(g, ext1, 4));
    CHECK(warnings() == 0);
    free(g);
    eng_close(&e);
}

static void test_duplicates(void)
{
    struct eng e;
    eng_open(&e, 256);
    clear_warnings();
    struct dgram *g = dgram_new(2, 1, 2, 42, 4000, 3);
    /* every fragment twice (the last one as well), then in reverse order
       with the first repeated */
    int news = 0;
    for (int off = 0; off < 4000; off += 1000) {
        int more = off + 1000 < 4000;
        for (int k = 0; k < 2; k++)
            if (feed(g, off, 1000, more) == IPF_NEW) {
                news++;
                CHECK(off == 3000 && k == 0);
                CHECK(reassembled(g));
            }
    }
    CHECK(news == 1);
    /* the second copy of the last fragment started a new queue: the same
       datagram once more completes it */
    CHECK(feed(g, 0, 1000, 1) == IPF_ISF);
    CHECK(feed(g, 0, 1000, 1) == IPF_ISF);
    CHECK(feed(g, 2000, 1000, 1) == IPF_ISF);
    CHECK(feed(g, 2000, 1000, 1) == IPF_ISF);
    CHECK(feed(g, 1000, 1000, 1) == IPF_NEW);
    CHECK(reassembled(g));
    CHECK(warnings() == 0);

    /* a copy with the last-fragment flag changed is not a duplicate */
    g->id++;
    CHECK(feed(g, 1000, 1000, 1) == IPF_ISF);
    CHECK(feed(g, 1000, 1000, 0) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_OVERLAP] == 1 && warnings() == 1);
    free(g);
    eng_close(&e);
}

static void test_overlaps(void)
{
    struct eng e;
    eng_open(&e, 256);
    struct dgram *g = dgram_new(3, 1, 2, 1, 64, 4);
    struct dgram *h = dgram_new(3, 1, 2, 1, 64, 5);   /* same key, other bytes */

    /* same offset and length, other bytes */
    clear_warnings();
    CHECK(feed(g, 0, 16, 1) == IPF_ISF);
    CHECK(feed(h, 0, 16, 1) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_OVERLAP] == 1 && warnings() == 1);
    /* the datagram is dropped: the rest (and the first again) complete
       nothing and warn no more */
    CHECK(feed(g, 16, 48, 0) == IPF_ISF);
    CHECK(feed(g, 0, 16, 1) == IPF_ISF);
    CHECK(feed(g, 16, 48, 0) == IPF_ISF);
    CHECK(warnings() == 1);
    /* until it times out (IP_FRAG_TIME after the drop, not extended by the
       fragments refused since) */
    set_time(&e, 1000020, 0);
    CHECK(feed(g, 0, 16, 1) == IPF_ISF);
    set_time(&e, 1000030, 1000);
    CHECK(feed(g, 16, 48, 0) == IPF_ISF);   /* expired now: a new queue */
    CHECK(feed(g, 0, 16, 1) == IPF_NEW);
    CHECK(reassembled(g));
    CHECK(warnings() == 1);

    /* the same bytes at a partly overlapping range are an overlap too */
    struct { int o1, l1, o2, l2; } cases[] = {
        {0, 24, 8, 8},     /* inside an earlier one */
        {8, 8, 0, 24},     /* around an earlier one */
        {0, 16, 8, 16},    /* across its end */
        {16, 16, 8, 16},   /* across its start */
        {0, 16, 0, 24},    /* same start, longer */
        {8, 16, 8, 8},     /* same start, shorter */
        {16, 8, 0, 48},    /* around, from the first */
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        g->id = 100 + i;
        clear_warnings();
        CHECK(feed(g, cases[i].o1, cases[i].l1, 1) == IPF_ISF);
        CHECK(feed(g, cases[i].o2, cases[i].l2, 1) == IPF_ISF);
        CHECK(warn_count[NIDS_WARN_IP_OVERLAP] == 1 && warnings() == 1);
        for (int off = 0; off < 64; off += 8)
            CHECK(feed(g, off, 8, off + 8 < 64) == IPF_ISF);
        CHECK(warnings() == 1);
    }
    /* an overlap with a fragment that only touches is none */
    g->id = 200;
    clear_warnings();
    CHECK(feed(g, 8, 8, 1) == IPF_ISF);
    CHECK(feed(g, 16, 48, 0) == IPF_ISF);
    CHECK(feed(g, 0, 8, 1) == IPF_NEW);
    CHECK(reassembled(g));
    CHECK(warnings() == 0);
    free(g);
    free(h);
    eng_close(&e);
}

static void test_atomic(void)
{
    struct eng e;
    eng_open(&e, 256);
    clear_warnings();
    struct dgram *g = dgram_new(4, 1, 2, 9, 3000, 6);
    struct dgram *a = dgram_new(4, 1, 2, 9, 500, 7);  /* same key */

    /* a queue of id 9 waits; an atomic fragment of id 9 comes back at once
       and leaves the queue alone */
    CHECK(feed(g, 0, 1000, 1) == IPF_ISF);
    CHECK(feed(a, 0, 500, 0) == IPF_NEW);
    CHECK(reassembled(a));
    CHECK(feed(g, 2000, 1000, 0) == IPF_ISF);
    CHECK(feed(g, 1000, 1000, 1) == IPF_NEW);
    CHECK(reassembled(g));
    /* with extension headers before it, each next header kept right */
    int ext[] = {0, 60};
    memcpy(a->ext, ext, sizeof ext);
    a->n_ext = 2;
    a->nh = 58;
    CHECK(feed(a, 0, 500, 0) == IPF_NEW);
    CHECK(reassembled(a));
    /* one whose header chain holds a second Fragment header is refused */
    clear_warnings();
    a->nh = 60;
    a->payload[0] = 44;
    a->payload[1] = 0;
    CHECK(feed(a, 0, 500, 0) == IPF_ISF);
    a->payload[0] = 58;
    CHECK(feed(a, 0, 500, 0) == IPF_NEW && reassembled(a));
    CHECK(warn_count[NIDS_WARN_IP_INVLIST] == 1 && warnings() == 1);
    clear_warnings();
    /* an empty atomic fragment: the header alone */
    a->plen = 0;
    a->n_ext = 0;
    a->nh = 59;
    CHECK(feed(a, 0, 0, 0) == IPF_NEW);
    CHECK(reassembled(a) && last_out_len == 40);
    CHECK(warnings() == 0);
    free(g);
    free(a);
    eng_close(&e);
}

static void test_timeout(void)
{
    struct eng e;
    eng_open(&e, 256);
    clear_warnings();
    struct dgram *g = dgram_new(5, 1, 2, 1, 24, 8);

    /* 30 s after its last fragment a datagram is still there ... */
    set_time(&e, 2000000, 500000);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    set_time(&e, 2000020, 0);
    CHECK(feed(g, 8, 8, 1) == IPF_ISF);     /* restarts the timer */
    set_time(&e, 2000050, 0);
    CHECK(feed(g, 16, 8, 0) == IPF_NEW);
    CHECK(reassembled(g));
    /* ... and 1 ms later it is not */
    g->id = 2;
    set_time(&e, 2000100, 0);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    CHECK(feed(g, 8, 8, 1) == IPF_ISF);
    set_time(&e, 2000130, 1000);
    CHECK(feed(g, 16, 8, 0) == IPF_ISF);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    CHECK(feed(g, 8, 8, 1) == IPF_NEW);     /* the new queue */
    CHECK(reassembled(g));
    /* any fragment's packet advances the clock (one of another datagram) */
    g->id = 3;
    struct dgram *o = dgram_new(5, 7, 8, 77, 16, 9);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    set_time(&e, 2000200, 0);
    CHECK(feed(o, 0, 8, 1) == IPF_ISF);
    CHECK(feed(g, 8, 16, 0) == IPF_ISF);
    set_time(&e, 2000200, 1000);
    CHECK(feed(g, 0, 8, 1) == IPF_NEW);
    CHECK(reassembled(g));
    /* the clock never goes back: a packet stamped earlier neither revives
       nor keeps alive what has expired, and what it starts lives 30 s from
       the latest time seen */
    g->id = 4;
    set_time(&e, 2000300, 0);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    set_time(&e, 1000, 0);
    CHECK(feed(g, 8, 8, 1) == IPF_ISF);
    set_time(&e, 2000330, 1000);
    CHECK(feed(g, 16, 8, 0) == IPF_ISF);    /* all of it expired */
    set_time(&e, 5, 0);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    CHECK(feed(g, 8, 8, 1) == IPF_NEW);
    CHECK(reassembled(g));
    /* timestamps at the ends of the range do not overflow */
    g->id = 5;
    set_time(&e, 0x7fffffffffffffffL, 999999);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    set_time(&e, -5, -5);
    CHECK(feed(g, 8, 8, 1) == IPF_ISF);
    CHECK(feed(g, 16, 8, 0) == IPF_NEW);
    CHECK(warnings() == 0);
    free(g);
    free(o);
    eng_close(&e);
}

static void test_memory(void)
{
    struct eng e;
    eng_open(&e, 4);
    clear_warnings();
    struct dgram *g = dgram_new(6, 1, 2, 0, 2464, 10);
    /* one destination: 400 datagrams of which only the first fragment
       (1232 bytes of data) came; the host holds at most 256 KiB as IPv4
       charges it (about 1.7 KiB each), pruned to 192 KiB: the oldest go */
    enum { N = 400 };
    for (int i = 0; i < N; i++) {
        g->id = i;
        CHECK(feed(g, 0, 1232, 1) == IPF_ISF);
    }
    int alive[N], n_alive = 0, first_alive = -1;
    for (int i = N - 1; i >= 0; i--) {
        g->id = i;
        alive[i] = feed(g, 1232, 1232, 0) == IPF_NEW;
        if (alive[i]) {
            CHECK(reassembled(g));
            n_alive++;
            first_alive = i;
        }
    }
    /* those that survived are the newest, and about 192-256 KiB of them */
    for (int i = first_alive; i < N; i++)
        CHECK(alive[i]);
    CHECK(n_alive >= 192 * 1024 / 1900 && n_alive <= 256 * 1024 / 1500);
    CHECK(warnings() == 0);

    /* a datagram in use is not the one that goes: one kept busy while
       others arrive survives */
    struct dgram *busy = dgram_new(6, 9, 2, 999999, 8 * 400 + 8, 11);
    for (int i = 0; i < N; i++) {
        g->id = 10000 + i;
        feed(g, 0, 1232, 1);
        if (i % 50 == 0)
            CHECK(feed(busy, 8 + 8 * (i / 50), 8, 1) == IPF_ISF);
    }
    CHECK(feed(busy, 0, 8, 1) == IPF_ISF);
    for (int i = 8; i < 399; i++)
        CHECK(feed(busy, 8 + 8 * i, 8, 1) == IPF_ISF);
    CHECK(feed(busy, 8 * 400, 8, 0) == IPF_NEW);
    CHECK(reassembled(busy));
    free(busy);

    /* the engine as a whole: n_hosts (4) times 256 KiB over any number of
       destinations; new datagrams keep coming in, the oldest go */
    for (int i = 0; i < 4000; i++) {
        addr(g->dst, 7, i);
        g->id = i;
        CHECK(feed(g, 0, 1232, 1) == IPF_ISF);
    }
    n_alive = 0;
    first_alive = -1;
    for (int i = 3999; i >= 0; i--) {
        addr(g->dst, 7, i);
        g->id = i;
        if (feed(g, 1232, 1232, 0) == IPF_NEW) {
            n_alive++;
            first_alive = i;
        }
    }
    CHECK(n_alive >= 4 * 192 * 1024 / 1900 && n_alive <= 4 * 256 * 1024 / 1500);
    CHECK(first_alive == 4000 - n_alive);
#ifndef UNDER_ASAN
    /* and the heap says so: 40,000 datagrams to as many destinations
       would hold 60 MB; the engine holds about 1 MiB */
    struct mallinfo2 before = mallinfo2();
    for (int i = 0; i < 40000; i++) {
        addr(g->dst, 8, i);
        g->id = i;
        feed(g, 0, 1232, 1);
    }
    struct mallinfo2 after = mallinfo2();
    CHECK(after.uordblks < before.uordblks + 4 * 256 * 1024 + 512 * 1024);
#endif
    CHECK(warnings() == 0);
    free(g);
    eng_close(&e);

    /* a datagram charged more than a host may hold cannot be reassembled,
       as with IPv4: 8000 bytes in 1000 fragments of 8 (about 280 bytes
       charged each) push it out itself */
    eng_open(&e, 4);
    g = dgram_new(6, 1, 3, 1, 8000, 15);
    int news = 0;
    for (int off = 0; off < 8000; off += 8)
        news += feed(g, off, 8, off + 8 < 8000) == IPF_NEW;
    CHECK(news == 0);
    /* 400 of them fit */
    g->plen = 3200;
    g->id = 2;
    for (int off = 0; off < 3200; off += 8)
        news += feed(g, off, 8, off + 8 < 3200) == IPF_NEW;
    CHECK(news == 1 && reassembled(g));
    /* whatever sk_buff_size and dev_addon are set to, a fragment is charged
       at least what it holds: the bound still holds */
    nids_params.sk_buff_size = -100000;
    nids_params.dev_addon = -100000;
    for (int i = 0; i < 600; i++) {
        g->id = 100 + i;
        feed(g, 0, 1232, 1);
    }
    g->id = 100;
    CHECK(feed(g, 1232, 1232, 0) == IPF_ISF);      /* the oldest went */
    g->id = 699;
    g->plen = 2464;
    CHECK(feed(g, 1232, 1232, 0) == IPF_NEW);
    CHECK(reassembled(g));
    CHECK(warnings() == 0);
    free(g);
    eng_close(&e);
}

/* An engine with n_hosts 0 (one bucket), and one never opened. */
static void test_odd_engines(void)
{
    struct eng e;
    eng_open(&e, 0);
    clear_warnings();
    struct dgram *g = dgram_new(12, 1, 2, 1, 100, 16);
    struct dgram *h = dgram_new(12, 3, 4, 1, 100, 17);
    CHECK(feed(g, 0, 48, 1) == IPF_ISF);
    CHECK(feed(h, 48, 52, 0) == IPF_ISF);
    CHECK(feed(h, 0, 48, 1) == IPF_NEW && reassembled(h));
    CHECK(feed(g, 48, 52, 0) == IPF_NEW && reassembled(g));
    eng_close(&e);

    struct nids_engine *never = nids_engine_new();
    nids_engine_use(never);
    nids_params.syslog = on_warning;
    CHECK(feed(g, 0, 48, 1) == IPF_ISF);    /* nothing can be held */
    CHECK(feed(g, 48, 52, 0) == IPF_ISF);
    g->plen = 48;
    CHECK(feed(g, 0, 48, 0) == IPF_NEW);    /* an atomic fragment needs no state */
    CHECK(reassembled(g));
    CHECK(warnings() == 0);
    nids_engine_use(NULL);
    nids_engine_free(never);
    free(g);
    free(h);
}

static void test_malformed(void)
{
    struct eng e;
    eng_open(&e, 256);
    struct dgram *g = dgram_new(9, 1, 2, 1, 64, 12);
    int flen, foff;
    u_char *p;

    /* a fragment with more to come whose length is not a multiple of 8 */
    clear_warnings();
    CHECK(feed(g, 0, 20, 1) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_INVLIST] == 1 && warnings() == 1);
    /* (not held: the right fragments complete the datagram without overlap) */
    CHECK(feed(g, 16, 48, 0) == IPF_ISF);
    CHECK(feed(g, 0, 16, 1) == IPF_NEW);
    CHECK(reassembled(g) && warnings() == 1);

    /* an empty fragment */
    g->id = 2;
    clear_warnings();
    CHECK(feed(g, 8, 0, 1) == IPF_ISF);
    CHECK(feed(g, 8, 0, 0) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_INVLIST] == 2 && warnings() == 2);

    /* beyond a 65535-byte payload: offset + length, and with the
       unfragmentable extension headers counted */
    struct dgram *big = dgram_new(9, 3, 4, 1, 65536, 13);
    clear_warnings();
    CHECK(feed(big, 65528, 8, 0) == IPF_ISF);            /* 65536 */
    CHECK(warn_count[NIDS_WARN_IP_OVERSIZED] == 1 && warnings() == 1);
    big->n_ext = 1;
    big->ext[0] = 60;
    big->id = 2;
    CHECK(feed(big, 65520, 8, 0) == IPF_ISF);            /* 8 + 65528 */
    CHECK(warn_count[NIDS_WARN_IP_OVERSIZED] == 2 && warnings() == 2);
    /* the largest there is reassembles: 65535 bytes, 8 of them an
       extension header (of the first fragment, the others have none) */
    big->id = 3;
    big->plen = 65527;
    CHECK(feed_ext(big, NULL, 0, 65520, 7, 0) == IPF_ISF);
    int news = 0;
    for (int off = 8; off < 65520; off += 1456) {
        int len = off + 1456 <= 65520 ? 1456 : 65520 - off;
        news += feed_ext(big, NULL, 0, off, len, 1) == IPF_NEW;
    }
    CHECK(news == 0);
    CHECK(feed(big, 0, 8, 1) == IPF_NEW);
    CHECK(reassembled(big) && last_out_len == 40 + 65535);
    CHECK(warnings() == 2);
    /* one byte more, where only the first fragment's headers tell: the
       whole datagram goes, at whichever fragment shows it */
    big->plen = 65528;
    big->id = 4;
    CHECK(feed_ext(big, NULL, 0, 65520, 8, 0) == IPF_ISF);
    CHECK(feed(big, 0, 8, 1) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_OVERSIZED] == 3 && warnings() == 3);
    CHECK(feed_ext(big, NULL, 0, 8, 8, 1) == IPF_ISF);
    big->id = 5;
    CHECK(feed(big, 0, 8, 1) == IPF_ISF);
    CHECK(feed_ext(big, NULL, 0, 65520, 8, 0) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_OVERSIZED] == 4 && warnings() == 4);
    free(big);

    /* a first fragment without the whole header chain (RFC 7112) */
    clear_warnings();
    g->id = 3;
    g->nh = 6;                                  /* TCP: 20 bytes needed */
    CHECK(feed(g, 0, 16, 1) == IPF_ISF);
    g->nh = 60;                                 /* an extension header that does not fit */
    g->payload[1] = 2;                          /* 24 bytes */
    CHECK(feed(g, 0, 16, 1) == IPF_ISF);
    g->payload[0] = 17;                         /* then UDP, cut short */
    g->payload[1] = 0;
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    g->payload[0] = 44;                         /* then a Fragment header */
    CHECK(feed(g, 0, 16, 1) == IPF_ISF);
    g->nh = 44;                                 /* a Fragment header after the Fragment header */
    CHECK(feed(g, 8, 16, 1) == IPF_ISF);
    CHECK(feed(g, 0, 16, 0) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_INVLIST] == 6 && warnings() == 6);
    /* "no next header" and upper layers it knows no minimum of need nothing */
    g->id = 4;
    g->nh = 59;
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    CHECK(feed(g, 8, 56, 0) == IPF_NEW && reassembled(g));
    g->id = 5;
    g->nh = 132;                                /* SCTP */
    CHECK(feed(g, 8, 56, 0) == IPF_ISF);
    CHECK(feed(g, 0, 8, 1) == IPF_NEW && reassembled(g));
    CHECK(warnings() == 6);
    /* where the chain is whole the datagram goes on */
    g->nh = 60;
    g->payload[0] = 6;
    g->payload[1] = 0;
    CHECK(feed(g, 0, 24, 1) == IPF_ISF);        /* 8 of options, 16 of TCP */
    CHECK(warnings() == 7);
    CHECK(feed(g, 0, 32, 1) == IPF_ISF);        /* 8 + 24 */
    CHECK(feed(g, 32, 32, 0) == IPF_NEW);
    CHECK(reassembled(g) && warnings() == 7);
    g->nh = 17;

    /* lengths that contradict what was seen: the datagram goes */
    clear_warnings();
    g->id = 10;                                 /* a last fragment ends before data held */
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    CHECK(feed(g, 24, 8, 1) == IPF_ISF);
    CHECK(feed(g, 8, 8, 0) == IPF_ISF);
    CHECK(feed(g, 16, 8, 1) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_INVLIST] == 1 && warnings() == 1);
    g->id = 11;                                 /* two last fragments, two ends */
    CHECK(feed(g, 16, 8, 0) == IPF_ISF);
    CHECK(feed(g, 32, 8, 0) == IPF_ISF);
    CHECK(feed(g, 0, 16, 1) == IPF_ISF);
    CHECK(feed(g, 24, 8, 1) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_INVLIST] == 2 && warnings() == 2);
    g->id = 12;                                 /* a fragment past the known end */
    CHECK(feed(g, 8, 8, 0) == IPF_ISF);
    CHECK(feed(g, 16, 8, 1) == IPF_ISF);
    CHECK(feed(g, 0, 8, 1) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_INVLIST] == 3 && warnings() == 3);

    /* arguments that contradict each other: dropped, no warning, no read
       outside the buffer */
    clear_warnings();
    g->id = 20;
    u_char *out = (u_char *) 1;
    int out_len = 7;
    p = frag_ext(g, NULL, 0, 0, 16, 1, &flen, &foff);
    CHECK(ip6_defrag_stub(p, flen, foff, foff + 8, &out, &out_len) == IPF_ISF);  /* unfrag_len */
    CHECK(out == NULL && out_len == 0);
    CHECK(ip6_defrag_stub(p, flen, 32, 32, &out, &out_len) == IPF_ISF);          /* before 40 */
    CHECK(ip6_defrag_stub(p, 47, 40, 40, &out, &out_len) == IPF_ISF);            /* no room */
    CHECK(ip6_defrag_stub(p, flen, flen - 7, flen - 7, &out, &out_len) == IPF_ISF);
    CHECK(ip6_defrag_stub(p, 40 + 65536, 40, 40, &out, &out_len) == IPF_ISF);    /* len too big */
    CHECK(ip6_defrag_stub(NULL, flen, 40, 40, &out, &out_len) == IPF_ISF);
    p[6] = 17;                                  /* the header does not name a Fragment header */
    CHECK(ip6_defrag_stub(p, flen, foff, foff, &out, &out_len) == IPF_ISF);
    p[6] = 44;
    p[0] = 0x45;                                /* version 4 */
    CHECK(ip6_defrag_stub(p, flen, foff, foff, &out, &out_len) == IPF_ISF);
    free(p);
    /* an unfragmentable part that does not lead to the Fragment header */
    int ext[] = {0, 43};
    p = frag_ext(g, ext, 2, 0, 16, 1, &flen, &foff);
    CHECK(ip6_defrag_stub(p, flen, foff - 8, foff - 8, &out, &out_len) == IPF_ISF);
    p[40 + 1] = 1;                              /* hop-by-hop claims 16 bytes: ends inside routing */
    CHECK(ip6_defrag_stub(p, flen, foff, foff, &out, &out_len) == IPF_ISF);
    p[40 + 1] = 0;
    p[40] = 6;                                  /* hop-by-hop then TCP, not routing */
    CHECK(ip6_defrag_stub(p, flen, foff, foff, &out, &out_len) == IPF_ISF);
    free(p);
    CHECK(warnings() == 0);
    /* and none of these was held: the datagram completes cleanly */
    CHECK(feed(g, 16, 48, 0) == IPF_ISF);
    CHECK(feed(g, 0, 16, 1) == IPF_NEW);
    CHECK(reassembled(g) && warnings() == 0);

    /* every cut of a fragment and every value of its fragment header's
       second word handled, with a buffer of exactly the length */
    for (int len = 40; len <= 40 + 8 + 40; len++)
        for (int w = 0; w < 0x10000; w += 0x0101) {
            u_char full[88];
            p = frag_ext(g, NULL, 0, 0, 40, 1, &flen, &foff);
            memcpy(full, p, sizeof full);
            free(p);
            g->id++;
            full[4] = 0;
            full[5] = (u_char) (len - 40);
            full[42] = (u_char) (w >> 8);
            full[43] = (u_char) w;
            full[44] = (u_char) (g->id >> 24); full[45] = (u_char) (g->id >> 16);
            full[46] = (u_char) (g->id >> 8); full[47] = (u_char) g->id;
            u_char *q = malloc(len);
            memcpy(q, full, len);
            int r = ip6_defrag_stub(q, len, 40, 40, &out, &out_len);
            CHECK(r == IPF_ISF || r == IPF_NEW);
            if (r == IPF_NEW) {
                CHECK(out_len == len - 8 && (w & 0xfff9) == 0);
                free(out);
            }
            free(q);
        }
    free(g);
    eng_close(&e);
}

static void test_many(void)
{
    struct eng e;
    eng_open(&e, 256);
    clear_warnings();
    /* 600 datagrams at once: 60 destinations, several sources, ids that
       repeat across sources and destinations; fragments interleaved */
    enum { N = 600, FR = 4, SZ = 1232 };
    static struct dgram *d[N];
    for (int i = 0; i < N; i++) {
        d[i] = dgram_new(10, 100 + i % 7, 200 + i % 60, (uint32_t) (i / 42), FR * SZ - 100, 1000 + i);
        if (i % 3 == 0) {
            d[i]->n_ext = 1;
            d[i]->ext[0] = 0;
        }
    }
    int done = 0;
    for (int k = 0; k < FR; k++)
        for (int i = 0; i < N; i++) {
            int f = (k + i) % FR;                   /* each starts at another fragment */
            int off = f * SZ, len = off + SZ < d[i]->plen ? SZ : d[i]->plen - off;
            int r = feed(d[i], off, len, f < FR - 1);
            if (r == IPF_NEW) {
                CHECK(k == FR - 1);
                CHECK(reassembled(d[i]));
                done++;
            }
        }
    CHECK(done == N);
    CHECK(warnings() == 0);
    for (int i = 0; i < N; i++)
        free(d[i]);
    eng_close(&e);
}

static void test_engines(void)
{
    struct eng a, b;
    eng_open(&a, 256);
    eng_open(&b, 256);
    clear_warnings();
    struct dgram *g = dgram_new(11, 1, 2, 5, 3000, 14);

    /* half of it to each engine: neither completes */
    eng_use(&a);
    CHECK(feed(g, 0, 1000, 1) == IPF_ISF);
    eng_use(&b);
    CHECK(feed(g, 1000, 1000, 1) == IPF_ISF);
    CHECK(feed(g, 2000, 1000, 0) == IPF_ISF);
    eng_use(&a);
    CHECK(feed(g, 2000, 1000, 0) == IPF_ISF);
    /* an overlap in a does not drop b's datagram */
    struct dgram *h = dgram_new(11, 1, 2, 5, 3000, 15);
    CHECK(feed(h, 2000, 1000, 0) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_OVERLAP] == 1);
    eng_use(&b);
    CHECK(feed(g, 0, 1000, 1) == IPF_NEW);
    CHECK(reassembled(g));
    /* a's clock is a's: time passing in a expires a's datagrams only */
    g->id = 6;
    CHECK(feed(g, 0, 1000, 1) == IPF_ISF);
    eng_use(&a);
    CHECK(feed(g, 0, 1000, 1) == IPF_ISF);
    set_time(&a, 1000100, 0);
    CHECK(feed(g, 1000, 1000, 1) == IPF_ISF);   /* a's id 6 expired: new queue */
    CHECK(feed(g, 2000, 1000, 0) == IPF_ISF);
    eng_use(&b);
    CHECK(feed(g, 1000, 1000, 1) == IPF_ISF);
    CHECK(feed(g, 2000, 1000, 0) == IPF_NEW);
    CHECK(reassembled(g));
    /* a reopened engine holds nothing of before */
    eng_use(&a);
    CHECK(nids_init());
    nids_last_pcap_header = &a.hdr;
    CHECK(feed(g, 0, 1000, 1) == IPF_ISF);
    CHECK(warn_count[NIDS_WARN_IP_OVERLAP] == 1 && warnings() == 1);
    /* both freed open, with datagrams held */
    eng_close(&a);
    eng_close(&b);
    free(g);
    free(h);
}

int main(void)
{
    test_orders();
    test_duplicates();
    test_overlaps();
    test_atomic();
    test_timeout();
    test_memory();
    test_malformed();
    test_many();
    test_engines();
    test_odd_engines();
    free(last_out);
    if (failures) {
        fprintf(stderr, "ip6frag_test: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("ok ip6frag: %d checks\n", checks);
    return 0;
}
