/*
 * fuzz_ip6frag: libnids' IPv6 fragment reassembly (ip6_defrag_stub(),
 * ip6_fragment.h) alone, inside an engine opened on a dead pcap handle.
 *
 * Input: byte 0 flags (bits 0-1: n_hosts - 1, so 1-4 buckets and an engine
 * bound of 1-4 x 256 KiB; bit 2: sk_buff_size 168 or 0; bit 3: dev_addon 16
 * or 0; bit 4: end with nids_exit() rather than freeing the engine open),
 * then 8-byte records, one fragment each:
 *   r[0]    bits 0-1 source, 2-3 destination (of 4 addresses each), 4-5 the
 *           identification (of 4), 6-7 the unfragmentable extension headers
 *           (none, hop-by-hop, hop-by-hop + routing, routing; 8 bytes each)
 *   r[1-2]  the Fragment header's second word as is (offset, reserved, M)
 *   r[3]    bits 0-3 its next header (TCP, UDP, ICMPv6, none, destination
 *           options, AH, Fragment, ESP, mobility, HIP, shim6, 253, 254, TCP,
 *           UDP, 255), bits 4-5 both set: unfrag_len passed wrong (a caller's
 *           error), bit 6: length rounded down to 8, bit 7: the second byte
 *           of the fragmentable part (an extension header's length) 1, else 0
 *   r[4-5]  the fragment's data length, low 11 bits (0-2047)
 *   r[6]    the first byte of the fragmentable part (a next header)
 *   r[7]    the clock: + r[7] ms below 128, + (r[7] - 127) x 0.5 s below
 *           255, 255: 10 s back
 * Each fragment is handed over in a buffer of exactly its length. Its data
 * are a pattern of (source, destination, position) except the first two
 * bytes of the fragmentable part, so the oracle can check every reassembled
 * datagram: a valid IPv6 header whose payload length is the datagram's, the
 * harness's addresses, the unfragmentable headers the harness writes, no
 * Fragment header, and every byte from the third of the fragmentable part
 * the pattern's. Warnings must be IP warnings of the three codes the
 * reassembly uses, about a version-6 packet. LeakSanitizer checks that
 * nothing is left after each input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap.h>

#include "nids.h"
#include "ip6_fragment.h"

static const u_char NEXT_HEADERS[16] = {6, 17, 58, 59, 60, 51, 44, 50, 135, 139, 140, 253, 254, 6, 17, 255};

static void addr_of(u_char *a, int role, int i)
{
    memset(a, 0, 16);
    a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
    a[7] = (u_char) role;
    a[15] = (u_char) (i + 1);
}

static u_char pattern(int s, int d, int p)
{
    uint32_t x = (uint32_t) (s * 4 + d + 1) * 2654435761u ^ (uint32_t) p * 40503u;
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    return (u_char) (x >> 24);
}

/* pattern() of every (source, destination) pair and position, made once:
   filling and checking are then copies and compares. */
static u_char *patterns[16];

static const u_char *pattern_of(int s, int d)
{
    u_char **t = &patterns[s * 4 + d];
    if (!*t) {
        if (!(*t = malloc(65536)))
            abort();
        for (int p = 0; p < 65536; p++)
            (*t)[p] = pattern(s, d, p);
    }
    return *t;
}

static volatile unsigned sink;

static void on_warning(int type, int code, struct ip *iph, void *data)
{
    const u_char *p = (const u_char *) iph;
    if (type != NIDS_WARN_IP || !p || data || (p[0] >> 4) != 6 ||
        (code != NIDS_WARN_IP_OVERSIZED && code != NIDS_WARN_IP_INVLIST && code != NIDS_WARN_IP_OVERLAP)) {
        fprintf(stderr, "fuzz_ip6frag: unexpected warning type %d code %d\n", type, code);
        abort();
    }
    for (int i = 0; i < 40; i++)      /* what a warning receiver reads */
        sink += p[i];
}

static void on_no_mem(char *where)
{
    fprintf(stderr, "fuzz_ip6frag: no_mem in %s\n", where);
    abort();
}

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_ip6frag: reassembled datagram: %s\n", what);
    abort();
}

static int which(const u_char *a, int role)
{
    u_char b[16];
    for (int i = 0; i < 4; i++) {
        addr_of(b, role, i);
        if (!memcmp(a, b, 16))
            return i;
    }
    return -1;
}

static void check_output(const u_char *out, int len)
{
    if (!out || len < 40 || len > 40 + 65535)
        fail("length");
    if ((out[0] >> 4) != 6)
        fail("version");
    if ((out[4] << 8 | out[5]) != len - 40)
        fail("payload length");
    int s = which(out + 8, 1), d = which(out + 24, 2);
    if (s < 0 || d < 0)
        fail("addresses");
    int nh = out[6], pos = 40, n = 0;
    while (nh == 0 || nh == 43) {
        if (++n > 2 || pos + 8 > len)
            fail("unfragmentable part");
        nh = out[pos];
        pos += 8;
    }
    if (nh == 44)
        fail("a Fragment header left");
    if (len - pos > 2 && memcmp(out + pos + 2, pattern_of(s, d) + 2, len - pos - 2))
        fail("data");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int flags = data[0];
    struct nids_engine *e = nids_engine_new();
    if (!e)
        abort();
    nids_engine_use(e);
    static pcap_t *pcap;                /* one for all inputs: nids_exit() leaves it open */
    if (!pcap && !(pcap = pcap_open_dead(DLT_RAW, 65535)))
        abort();
    nids_params.pcap_desc = pcap;
    nids_params.syslog = on_warning;
    nids_params.no_mem = on_no_mem;
    nids_params.scan_num_hosts = 0;
    nids_params.n_tcp_streams = 1;      /* TCP is not used: a small table opens fast */
    nids_params.n_hosts = 1 + (flags & 3);
    nids_params.sk_buff_size = flags & 4 ? 168 : 0;
    if (!nids_init())
        abort();
    nids_params.dev_addon = flags & 8 ? 16 : 0;
    struct pcap_pkthdr hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.ts.tv_sec = 1000000;
    nids_last_pcap_header = &hdr;

    for (size_t at = 1; at + 8 <= size; at += 8) {
        const uint8_t *r = data + at;
        int s = r[0] & 3, d = r[0] >> 2 & 3, id = r[0] >> 4 & 3, ext = r[0] >> 6;
        int len = (r[4] << 8 | r[5]) & 0x7ff;
        if (r[3] & 0x40)
            len &= ~7;
        long ms = r[7] < 128 ? r[7] : r[7] < 255 ? (r[7] - 127) * 500L : -10000L;
        long usec = hdr.ts.tv_usec + ms * 1000;
        hdr.ts.tv_sec += usec / 1000000;
        hdr.ts.tv_usec = usec % 1000000;
        if (hdr.ts.tv_usec < 0) {
            hdr.ts.tv_usec += 1000000;
            hdr.ts.tv_sec--;
        }

        static const int n_ext[4] = {0, 1, 2, 1};
        int ulen = 40 + 8 * n_ext[ext];
        int plen = ulen + 8 + len;
        u_char *p = malloc(plen);
        if (!p)
            abort();
        memset(p, 0, ulen);
        p[0] = 0x60;
        p[4] = (u_char) ((plen - 40) >> 8);
        p[5] = (u_char) (plen - 40);
        p[7] = 64;
        addr_of(p + 8, 1, s);
        addr_of(p + 24, 2, d);
        if (ext == 0) {
            p[6] = 44;
        } else if (ext == 1) {
            p[6] = 0;
            p[40] = 44;
            p[42] = 1; p[43] = 4;             /* PadN */
        } else if (ext == 2) {
            p[6] = 0;
            p[40] = 43;
            p[42] = 1; p[43] = 4;
            p[48] = 44;
            p[50] = 4;                        /* routing type 4, nothing left */
        } else {
            p[6] = 43;
            p[40] = 44;
            p[42] = 4;
        }
        u_char *fh = p + ulen;
        fh[0] = NEXT_HEADERS[r[3] & 15];
        fh[1] = 0;
        fh[2] = r[1];
        fh[3] = r[2];
        fh[4] = 0; fh[5] = 0; fh[6] = 0x12; fh[7] = (u_char) id;
        int offset = (r[1] << 8 | r[2]) & 0xfff8;
        /* offset + len < 65536 + 2048: past the table, the pattern wraps */
        const u_char *pat = pattern_of(s, d);
        for (int i = 0; i < len;) {
            int pos = (offset + i) & 0xffff, n = 65536 - pos < len - i ? 65536 - pos : len - i;
            memcpy(fh + 8 + i, pat + pos, n);
            i += n;
        }
        if (offset == 0 && len > 0)
            fh[8] = r[6];
        if (offset == 0 && len > 1)
            fh[9] = r[3] >> 7;
        int unfrag_len = (r[3] & 0x30) == 0x30 ? ulen - 8 : ulen;
        u_char *out = NULL;
        int out_len = 0;
        int res = ip6_defrag_stub(p, plen, ulen, unfrag_len, &out, &out_len);
        free(p);
        if (res == IPF_NEW) {
            check_output(out, out_len);
            free(out);
        } else if (res != IPF_ISF || out || out_len) {
            fprintf(stderr, "fuzz_ip6frag: result %d with %p/%d\n", res, (void *) out, out_len);
            abort();
        }
    }
    if (flags & 16) {
        nids_exit();
        nids_engine_use(NULL);
        nids_engine_free(e);
    } else {
        nids_engine_use(NULL);
        nids_engine_free(e);            /* open, datagrams held */
    }
    return 0;
}
