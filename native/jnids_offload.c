/*
 * Checksum-offload detection; the rule is described in jnids_offload.h.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap.h>
#include <nids.h>

#include "jnids_offload.h"

struct sender {
    uint32_t addr;          /* network byte order; 0 for an IPv6 sender */
    uint8_t used;
    uint8_t exempt;
    uint8_t ipv6;
    u_char addr6[16];       /* an IPv6 sender's address */
    uint16_t examined;
    uint16_t bad;
    uint64_t packets;
    uint64_t offloaded;
};

struct jnids_offload {
    int mode;
    int dlt;
    struct nids_chksum_ctl *rules;  /* the user's list */
    int nrules;
    struct nids_chksum_ctl6 *rules6; /* the user's IPv6 list */
    int nrules6;
    int ipv6;                       /* libnids reads IPv6 (nids_params.ipv6 at the start) */
    struct nids_chksum_ctl one;     /* the list that exempts the current packet's sender */
    int one_registered;
    struct nids_chksum_ctl6 one6;   /* the same for an IPv6 sender */
    int one6_registered;
    int64_t packets, tcp_packets, offloaded, signature, untracked;
    /* Packets the look-ahead read, and packets seen since: the first ones were
     * examined already and are not counted twice. (With a BPF filter the
     * capture loop sees fewer packets, so some go unexamined: harmless.) */
    int64_t ahead, seen;
    int tracked;
    struct sender hosts[JNIDS_OFFLOAD_HOSTS];
};

/* libnids' "verify nothing" list, for JNIDS_CHECKSUMS_OFF. */
static struct nids_chksum_ctl verify_nothing = {0, 0, NIDS_DONT_CHKSUM, 0};
static struct nids_chksum_ctl6 verify_nothing6 = {{0}, {0}, NIDS_DONT_CHKSUM, 0};

struct jnids_offload *jnids_offload_new(int mode)
{
    if (mode != JNIDS_CHECKSUMS_ON && mode != JNIDS_CHECKSUMS_AUTO && mode != JNIDS_CHECKSUMS_OFF)
        return NULL;
    struct jnids_offload *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->mode = mode;
    o->one.mask = 0xffffffffu;
    o->one.action = NIDS_DONT_CHKSUM;
    memset(o->one6.mask, 0xff, sizeof o->one6.mask);
    o->one6.action = NIDS_DONT_CHKSUM;
    return o;
}

static void register_rules(struct jnids_offload *o)
{
    nids_register_chksum_ctl(o->rules, o->nrules);
    nids_register_chksum_ctl6(o->rules6, o->nrules6);
    o->one_registered = 0;
    o->one6_registered = 0;
}

void jnids_offload_free(struct jnids_offload *o)
{
    if (!o)
        return;
    register_rules(o);
    free(o);
}

void jnids_offload_rules(struct jnids_offload *o, struct nids_chksum_ctl *rules, int n)
{
    o->rules = n > 0 ? rules : NULL;
    o->nrules = n > 0 ? n : 0;
    if (o->mode == JNIDS_CHECKSUMS_OFF)
        return;
    register_rules(o);
}

void jnids_offload_rules6(struct jnids_offload *o, struct nids_chksum_ctl6 *rules, int n)
{
    o->rules6 = n > 0 ? rules : NULL;
    o->nrules6 = n > 0 ? n : 0;
    if (o->mode == JNIDS_CHECKSUMS_OFF)
        return;
    nids_register_chksum_ctl6(o->rules6, o->nrules6);
    o->one6_registered = 0;
}

/* ---- checksums ---------------------------------------------------------- */

static inline unsigned get16(const u_char *p) { return (unsigned)p[0] << 8 | p[1]; }

static uint32_t sum_bytes(const u_char *p, size_t n, uint32_t sum)
{
    uint64_t s = sum;
    while (n >= 2) {
        s += get16(p);
        p += 2;
        n -= 2;
    }
    if (n)
        s += (unsigned)p[0] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

static unsigned fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s;
}

/* The pseudo header's sum (addresses and protocol; length added by the
 * caller): IPv4's, or IPv6's (RFC 8200 8.1: the 16-byte addresses). */
static uint32_t pseudo_sum(const u_char *ip, int proto)
{
    if (ip[0] >> 4 == 6)
        return sum_bytes(ip + 8, 32, 0) + (unsigned)proto;
    return get16(ip + 12) + get16(ip + 14) + get16(ip + 16) + get16(ip + 18) + (unsigned)proto;
}

/* Whether a checksum field holds the partial sum the stack leaves for the card. */
static int holds(unsigned field, unsigned partial)
{
    return field == partial || (partial == 0xffff && field == 0);
}

/* ---- senders ------------------------------------------------------------ */

/* The sender of an IPv4 address (addr6 NULL) or of an IPv6 one. */
static struct sender *find_sender(struct jnids_offload *o, uint32_t addr, const u_char *addr6)
{
    int ipv6 = addr6 != NULL;
    uint32_t key = addr;
    if (ipv6) {
        uint32_t w;
        key = 0;
        for (int i = 0; i < 16; i += 4) {
            memcpy(&w, addr6 + i, 4);
            key ^= w;
        }
    }
    uint32_t h = (key * 2654435761u) >> 20;    /* 12 bits: JNIDS_OFFLOAD_HOSTS */
    for (int probe = 0; probe < JNIDS_OFFLOAD_HOSTS; probe++) {
        struct sender *s = &o->hosts[(h + probe) & (JNIDS_OFFLOAD_HOSTS - 1)];
        if (s->used && s->ipv6 == ipv6 && (ipv6 ? !memcmp(s->addr6, addr6, 16) : s->addr == addr))
            return s;
        if (!s->used) {
            /* At most 3/4 full, so that probes stay short. */
            if (o->tracked >= JNIDS_OFFLOAD_HOSTS / 4 * 3)
                return NULL;
            s->used = 1;
            s->ipv6 = (uint8_t)ipv6;
            if (ipv6)
                memcpy(s->addr6, addr6, 16);
            else
                s->addr = addr;
            o->tracked++;
            return s;
        }
    }
    return NULL;
}

/* Rule 2: a large share of the examined packets had wrong checksums. */
static void judge(struct sender *s)
{
    if (s->examined >= JNIDS_OFFLOAD_MIN_PACKETS &&
        (unsigned)s->bad * 100 >= (unsigned)s->examined * JNIDS_OFFLOAD_SHARE_PERCENT)
        s->exempt = 1;
}

/* ---- packets ------------------------------------------------------------ */

/* Where the IP header starts for this link type, as libnids finds it, or -1
 * when the frame holds no IPv4 datagram, nor an IPv6 one when ipv6 is set
 * (or one jnids does not look into). */
static int ip_offset(int dlt, int ipv6, const u_char *data, bpf_u_int32 caplen)
{
    int off;
    switch (dlt) {
    case DLT_EN10MB: {
        if (caplen < 14)
            return -1;
        off = 14;
        unsigned type = get16(data + 12);
        if (type == 0x8100) {
            if (caplen < 18)
                return -1;
            off = 18;
            type = get16(data + 16);
        }
        if (type != 0x0800 && !(ipv6 && type == 0x86dd))
            return -1;
        break;
    }
    case DLT_NULL: case DLT_PPP: off = 4; break;
    case DLT_IEEE802: off = 22; break;
    case DLT_RAW: case DLT_SLIP: off = 0; break;
    case DLT_LINUX_SLL: off = 16; break;
    default: return -1;
    }
    if (caplen < (bpf_u_int32)off + 1)
        return -1;
    int version = data[off] >> 4;
    if (version == 4 && caplen >= (bpf_u_int32)off + 20)
        return off;
    if (version == 6 && ipv6 && caplen >= (bpf_u_int32)off + 40)
        return off;
    return -1;
}

/* What one packet shows. */
struct look {
    uint32_t src;
    const u_char *src6; /* an IPv6 packet's source address, else NULL */
    int header_ok;      /* IP header checksum right, or 0 (offloaded) */
    int ip_zero;        /* IP header checksum 0 and wrong */
    int fragment;
    int l4;             /* a whole TCP or UDP datagram is at l4 */
    int signature;      /* its checksum field holds the pseudo header's sum */
    const u_char *ip;
    const u_char *seg;
    int seg_len;        /* bytes the checksum covers */
    int proto;
};

/*
 * The upper-layer header of an IPv6 datagram of len bytes (40 + payload
 * length) of which avail were captured: its offset, with its protocol in
 * *proto, after the extension headers libnids walks (hop-by-hop, routing,
 * destination options, AH, and RFC 6564's generic ones); 0 for a fragment
 * (a Fragment header first met), -1 for headers that run past the captured
 * bytes or the payload (libnids drops such a datagram).
 */
static int ip6_upper(const u_char *ip, int len, int avail, int *proto)
{
    int off = 40, nh = ip[6], end = len < avail ? len : avail;
    for (;;) {
        int hl;
        switch (nh) {
        case 0: case 43: case 60: case 135: case 139: case 140: case 253: case 254:
            if (off + 8 > end)
                return -1;
            hl = (ip[off + 1] + 1) * 8;
            break;
        case 51:
            if (off + 8 > end)
                return -1;
            hl = (ip[off + 1] + 2) * 4;
            break;
        case 44:
            return 0;
        default:
            *proto = nh;
            return off;
        }
        if (off + hl > end)
            return -1;
        nh = ip[off];
        off += hl;
    }
}

static int inspect(int dlt, int ipv6, const struct pcap_pkthdr *hdr, const u_char *data, struct look *k)
{
    memset(k, 0, sizeof *k);
    int off = ip_offset(dlt, ipv6, data, hdr->caplen);
    if (off < 0)
        return 0;
    const u_char *ip = data + off;
    int avail = (int)(hdr->caplen - (bpf_u_int32)off);
    int hl, len;
    if (ip[0] >> 4 == 6) {
        /* No header checksum: the header is what libnids checks it is. */
        len = 40 + (int)get16(ip + 4);
        if (len == 40)
            return 0;
        hl = ip6_upper(ip, len, avail, &k->proto);
        if (hl < 0)
            return 0;
        k->ip = ip;
        k->src6 = ip + 8;
        k->header_ok = 1;
        k->fragment = hl == 0;
    } else {
        hl = (ip[0] & 15) * 4;
        len = (int)get16(ip + 2);
        k->proto = ip[9];
        if (hl < 20 || hl > avail || len < hl)
            return 0;
        k->ip = ip;
        memcpy(&k->src, ip + 12, 4);
        int ip_ok = sum_bytes(ip, (size_t)hl, 0) == 0xffff;
        k->ip_zero = !ip_ok && get16(ip + 10) == 0;
        k->header_ok = ip_ok || k->ip_zero;
        k->fragment = (get16(ip + 6) & 0x3fff) != 0;
    }
    if (k->fragment || len > avail || (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP))
        return 1;
    const u_char *seg = ip + hl;
    int seg_len = len - hl;
    unsigned field, partial;
    uint32_t ps = pseudo_sum(ip, k->proto);
    if (k->proto == IPPROTO_TCP) {
        if (seg_len < 20)
            return 1;
        field = get16(seg + 16);
    } else {
        if (seg_len < 8)
            return 1;
        int ulen = (int)get16(seg + 4);
        if (ulen < 8 || ulen > seg_len)
            return 1;
        seg_len = ulen;
        field = get16(seg + 6);
    }
    partial = fold(ps + (unsigned)seg_len);
    k->l4 = 1;
    k->seg = seg;
    k->seg_len = seg_len;
    k->signature = holds(field, partial) || holds(field, fold(ps));
    return 1;
}

/* Whether the TCP/UDP checksum is right (a UDP checksum of 0 means none
 * over IPv4, and is wrong over IPv6: RFC 8200 8.1). */
static int l4_right(const struct look *k)
{
    if (k->proto == IPPROTO_UDP && get16(k->seg + 6) == 0)
        return !k->src6;
    uint32_t s = pseudo_sum(k->ip, k->proto) + (unsigned)k->seg_len;
    return sum_bytes(k->seg, (size_t)k->seg_len, fold(s)) == 0xffff;
}

/* Rule 2's bookkeeping: examines the packet if the sender is still undecided. */
static void examine(struct sender *s, const struct look *k, int *right)
{
    if (!s || s->exempt || s->examined >= JNIDS_OFFLOAD_EXAMINED || !k->l4 || !k->header_ok)
        return;
    if (*right < 0)
        *right = l4_right(k);
    s->examined++;
    if (!*right || k->ip_zero)
        s->bad++;
    judge(s);
}

void jnids_offload_begin(struct jnids_offload *o, int dlt, const char *filename)
{
    o->dlt = dlt;
    o->ipv6 = nids_params.ipv6 != 0;
    o->packets = o->tcp_packets = o->offloaded = o->signature = o->untracked = 0;
    o->ahead = o->seen = 0;
    o->tracked = 0;
    memset(o->hosts, 0, sizeof o->hosts);
    if (o->mode == JNIDS_CHECKSUMS_OFF) {
        nids_register_chksum_ctl(&verify_nothing, 1);
        nids_register_chksum_ctl6(&verify_nothing6, 1);
        return;
    }
    register_rules(o);
    struct stat st;
    if (!filename || stat(filename, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(filename, errbuf);
    if (!p)
        return;
    int ahead_dlt = pcap_datalink(p);
    struct pcap_pkthdr *hdr;
    const u_char *data;
    for (; o->ahead < JNIDS_OFFLOAD_LOOKAHEAD && pcap_next_ex(p, &hdr, &data) == 1; o->ahead++) {
        struct look k;
        if (!inspect(ahead_dlt, o->ipv6, hdr, data, &k) || !k.l4)
            continue;
        int right = -1;
        examine(find_sender(o, k.src, k.src6), &k, &right);
    }
    pcap_close(p);
}

void jnids_offload_packet(struct jnids_offload *o, const struct pcap_pkthdr *hdr, const u_char *data)
{
    struct look k;
    int exempt = 0;
    o->seen++;
    if (inspect(o->dlt, o->ipv6, hdr, data, &k)) {
        if (k.proto == IPPROTO_TCP)
            o->tcp_packets++;
        if (k.l4)
            o->packets++;
        if (o->mode == JNIDS_CHECKSUMS_OFF)
            return;
    }
    /* A damaged IP header is left to libnids, which drops it. */
    if (k.ip && k.header_ok) {
        struct sender *s = find_sender(o, k.src, k.src6);
        if (!s)
            o->untracked++;
        int right = -1;
        int signed_bad = 0;
        if (k.l4 && k.signature) {
            right = l4_right(&k);
            signed_bad = !right;
        }
        if (o->seen > o->ahead)
            examine(s, &k, &right);
        int sender_exempt = s && s->exempt;
        if (k.l4 && (signed_bad || sender_exempt)) {
            if (right < 0)
                right = l4_right(&k);
            if (!right || k.ip_zero) {
                o->offloaded++;
                o->signature += signed_bad;
                if (s)
                    s->offloaded++;
            }
        }
        if (s && k.l4)
            s->packets++;
        exempt = signed_bad || sender_exempt;
    }
    if (o->mode != JNIDS_CHECKSUMS_AUTO)
        return;
    if (exempt && !k.src6) {
        o->one.netaddr = k.src;
        if (!o->one_registered) {
            nids_register_chksum_ctl(&o->one, 1);
            o->one_registered = 1;
        }
    } else if (o->one_registered) {
        nids_register_chksum_ctl(o->rules, o->nrules);
        o->one_registered = 0;
    }
    if (exempt && k.src6) {
        memcpy(o->one6.netaddr, k.src6, 16);
        if (!o->one6_registered) {
            nids_register_chksum_ctl6(&o->one6, 1);
            o->one6_registered = 1;
        }
    } else if (o->one6_registered) {
        nids_register_chksum_ctl6(o->rules6, o->nrules6);
        o->one6_registered = 0;
    }
}

void jnids_offload_end(struct jnids_offload *o)
{
    register_rules(o);
}

static int listed(const struct sender *s)
{
    return s->used && (s->offloaded > 0 || s->exempt);
}

void jnids_offload_summary(struct jnids_offload *o, int64_t *out)
{
    int senders = 0;
    for (int i = 0; i < JNIDS_OFFLOAD_HOSTS; i++)
        senders += listed(&o->hosts[i]);
    out[JNIDS_OFFLOAD_MODE] = o->mode;
    out[JNIDS_OFFLOAD_PACKETS] = o->packets;
    out[JNIDS_OFFLOAD_TCP_PACKETS] = o->tcp_packets;
    out[JNIDS_OFFLOAD_OFFLOADED] = o->offloaded;
    out[JNIDS_OFFLOAD_SIGNATURE] = o->signature;
    out[JNIDS_OFFLOAD_SENDERS] = senders;
    out[JNIDS_OFFLOAD_UNTRACKED] = o->untracked;
}

static int by_offloaded(const void *a, const void *b)
{
    int64_t x = ((const int64_t *)a)[JNIDS_SENDER_OFFLOADED], y = ((const int64_t *)b)[JNIDS_SENDER_OFFLOADED];
    return x < y ? 1 : x > y ? -1 : 0;
}

int jnids_offload_senders(struct jnids_offload *o, int64_t *out, int max)
{
    int total = 0;
    for (int i = 0; i < JNIDS_OFFLOAD_HOSTS; i++)
        total += listed(&o->hosts[i]);
    int64_t *all = malloc(sizeof(int64_t) * JNIDS_SENDER_SLOTS * (size_t)(total ? total : 1));
    if (!all)
        return 0;
    int n = 0;
    for (int i = 0; i < JNIDS_OFFLOAD_HOSTS; i++) {
        const struct sender *s = &o->hosts[i];
        if (!listed(s))
            continue;
        int64_t *row = all + (size_t)n * JNIDS_SENDER_SLOTS;
        row[JNIDS_SENDER_ADDR] = (int32_t)s->addr;
        row[JNIDS_SENDER_IPV6] = s->ipv6;
        uint64_t hi = 0, lo = 0;
        for (int b = 0; b < 8; b++) {
            hi = hi << 8 | s->addr6[b];
            lo = lo << 8 | s->addr6[8 + b];
        }
        row[JNIDS_SENDER_ADDR6_HI] = (int64_t)hi;
        row[JNIDS_SENDER_ADDR6_LO] = (int64_t)lo;
        row[JNIDS_SENDER_PACKETS] = (int64_t)s->packets;
        row[JNIDS_SENDER_OFFLOADED] = (int64_t)s->offloaded;
        row[JNIDS_SENDER_EXAMINED] = s->examined;
        row[JNIDS_SENDER_BAD] = s->bad;
        row[JNIDS_SENDER_EXEMPT] = s->exempt;
        n++;
    }
    qsort(all, (size_t)n, sizeof(int64_t) * JNIDS_SENDER_SLOTS, by_offloaded);
    if (n > max)
        n = max < 0 ? 0 : max;
    memcpy(out, all, sizeof(int64_t) * JNIDS_SENDER_SLOTS * (size_t)n);
    free(all);
    return n;
}
