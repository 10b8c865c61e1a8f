/*
 * jnids' native session: opens the capture itself (so that errors are precise,
 * the loop can be broken from any thread and timestamps outlive libpcap's
 * buffers), hands it to libnids through nids_params.pcap_desc, and forwards
 * libnids' callbacks to Java through the boxes described in jnids.h.
 *
 * All state is in struct jnids_session. Process-wide are only the up-calls
 * (set once) and, per thread, the session whose call is running on it, which
 * is how libnids' callbacks (trampolines below) find their session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap.h>
#include <nids.h>
#include <libnids/scan.h>

#include "jnids.h"
#include "jnids_coroutine.h"
#include "jnids_offload.h"
#include "jnids_offload.h"

enum { STAGE_COUNT = 4 };

struct jnids_session {
    int id;                     /* passed to the up-calls */
    struct nids_engine *engine;
    struct jnids_co co;

    int64_t tcp_box[JNIDS_TCP_BOX_SLOTS];
    int64_t udp_box[JNIDS_PKT_BOX_SLOTS];
    int64_t ip_box[JNIDS_PKT_BOX_SLOTS];
    int64_t warning_box[JNIDS_PKT_BOX_SLOTS];
    int64_t filter_box[JNIDS_PKT_BOX_SLOTS];

    /* One mapping for the staging buffers (0: UDP payload, 1: UDP datagram,
     * 2: IP / IP fragment, 3: filter) and the scan probes after them; its
     * pages are committed only when touched, which zero copy never does. */
    u_char *stage;

    pcap_t *pcap;               /* the open capture, NULL without one */
    /* What jnids_stop() may break: the capture, while it is open. A stopper
     * counts itself in stoppers around its use, and whoever closes the
     * capture clears breakable first and then waits for stoppers to drain
     * (a few instructions), so that stop never meets a closed handle and
     * never waits itself. */
    _Atomic(pcap_t *) breakable;
    atomic_int stoppers;
    atomic_int stop;
    int in_loop;
    int abandoned;              /* libnids ran out of memory: its engine is never touched again */
    int dying;                  /* being freed: no callback reaches Java */
    jmp_buf out_of_memory;
    double last_ts;
    int64_t packets;
    bpf_u_int32 caplen;         /* bytes captured of the packet being processed */
    const u_char *packet;       /* its bytes, valid until libnids is done with it */
    int dev_addon;              /* nids_params.dev_addon as set before nids_init() */
    int ip_waiting;             /* see take_waiting_ip() */
    struct tcp_stream *current_tcp;  /* the stream whose TCP callback is running */
    int zero_copy;
    int listening[5];
    int raw_callbacks;
    int coroutine_wanted;
    char *strings[3];           /* device, filename, pcap_filter, owned here */
    struct nids_chksum_ctl *chksum;
    int nchksum;
    struct nids_chksum_ctl6 *chksum6;
    int nchksum6;
    struct jnids_offload *offload; /* checksum-offload detector (owned), or NULL: libnids' own checks */
    char *read_buffer;          /* the open capture file's stdio buffer */

    /* What enter() replaced on the calling thread, for leave(). */
    struct nids_engine *outer_engine;
    jnids_session *outer_session;

    int error_code;
    char device_name[256];
    char error[PCAP_ERRBUF_SIZE + 256];
};

enum {
    STAGE_SCAN_OFFSET = STAGE_COUNT * JNIDS_STAGE_BYTES,
    STAGE_MAP_BYTES = STAGE_SCAN_OFFSET + JNIDS_SCAN_MAX * JNIDS_SCAN_SLOTS * 8
};

/* The session whose call is running on this thread: libnids' callbacks have
 * no user pointer, so the trampolines look here. */
static __thread jnids_session *current __attribute__((tls_model("initial-exec")));

static jnids_tcp_upcall tcp_upcall;
static jnids_udp_upcall udp_upcall;
static jnids_ip_upcall ip_upcall;
static jnids_warning_upcall warning_upcall;
static jnids_filter_upcall filter_upcall;

/* Makes s and its engine current on this thread, remembering what was. */
static inline void enter(jnids_session *s)
{
    s->outer_session = current;
    current = s;
    s->outer_engine = nids_engine_use(s->engine);
}

static inline void leave(jnids_session *s)
{
    nids_engine_use(s->outer_engine);
    current = s->outer_session;
}

static void set_error_code(jnids_session *s, int code, const char *fmt, const char *detail)
{
    s->error_code = code;
    snprintf(s->error, sizeof s->error, fmt, detail ? detail : "");
}

#define set_error(s, fmt, detail) set_error_code(s, JNIDS_ERR_STATE, fmt, detail)

const char *jnids_error(jnids_session *s) { return s->error; }
int jnids_error_code(jnids_session *s) { return s->error_code; }
void jnids_set_kill_error(jnids_session *s, const char *message) { set_error_code(s, JNIDS_ERR_SEND, "%s", message); }
int64_t *jnids_tcp_box(jnids_session *s) { return s->tcp_box; }
int64_t *jnids_udp_box(jnids_session *s) { return s->udp_box; }
int64_t *jnids_ip_box(jnids_session *s) { return s->ip_box; }
int64_t *jnids_warning_box(jnids_session *s) { return s->warning_box; }
int64_t *jnids_filter_box(jnids_session *s) { return s->filter_box; }

u_char *jnids_stage(jnids_session *s, int which)
{
    if (which >= 0 && which < STAGE_COUNT)
        return s->stage + which * JNIDS_STAGE_BYTES;
    if (which == STAGE_COUNT)
        return s->stage + STAGE_SCAN_OFFSET;
    return NULL;
}

static int64_t *stage_scan(jnids_session *s) { return (int64_t *)(void *)(s->stage + STAGE_SCAN_OFFSET); }

const char *jnids_pcap_version(void) { return pcap_lib_version(); }

jnids_session *jnids_session_new(int id)
{
    jnids_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    void *m = mmap(NULL, STAGE_MAP_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        free(s);
        return NULL;
    }
    s->stage = m;
    s->engine = nids_engine_new();
    if (!s->engine) {
        munmap(m, STAGE_MAP_BYTES);
        free(s);
        return NULL;
    }
    s->id = id;
    s->coroutine_wanted = 1;
    s->zero_copy = 1;
    return s;
}

int64_t jnids_session_bytes(int part)
{
    switch (part) {
    case 0: return (int64_t)sizeof(struct jnids_session);
    case 1: return STAGE_MAP_BYTES;
    case 2: return (int64_t)jnids_co_reserved_bytes();
    case 3: return JNIDS_READ_BUFFER_BYTES;
    default: return -1;
    }
}

struct nids_prm *jnids_params(jnids_session *s)
{
    enter(s);
    struct nids_prm *p = &nids_params;
    leave(s);
    return p;
}

int jnids_set_string_param(jnids_session *s, int which, const char *value)
{
    if (which < 0 || which > 2)
        return -1;
    char *copy = NULL;
    if (value && !(copy = strdup(value)))
        return -1;
    enter(s);
    switch (which) {
    case 0: nids_params.device = copy; break;
    case 1: nids_params.filename = copy; break;
    case 2: nids_params.pcap_filter = copy; break;
    }
    leave(s);
    free(s->strings[which]);
    s->strings[which] = copy;
    return 0;
}

int jnids_set_chksum_ctl(jnids_session *s, const int32_t *triples, int n)
{
    struct nids_chksum_ctl *table = NULL;
    if (n < 0)
        return -1;
    if (n > 0) {
        table = calloc((size_t)n, sizeof *table);
        if (!table)
            return -1;
        for (int i = 0; i < n; i++) {
            table[i].netaddr = (u_int)triples[3 * i];
            table[i].mask = (u_int)triples[3 * i + 1];
            table[i].action = (u_int)triples[3 * i + 2];
        }
    }
    enter(s);
    nids_register_chksum_ctl(table, n);
    if (s->offload)
        jnids_offload_rules(s->offload, table, n);
    leave(s);
    free(s->chksum);
    s->chksum = table;
    s->nchksum = n;
    return 0;
}

int jnids_set_chksum_ctl6(jnids_session *s, const u_char *rules, int n)
{
    struct nids_chksum_ctl6 *table = NULL;
    if (n < 0)
        return -1;
    if (n > 0) {
        table = calloc((size_t)n, sizeof *table);
        if (!table)
            return -1;
        for (int i = 0; i < n; i++) {
            memcpy(table[i].netaddr, rules + 33 * i, 16);
            memcpy(table[i].mask, rules + 33 * i + 16, 16);
            for (int j = 0; j < 16; j++)
                table[i].netaddr[j] &= table[i].mask[j];
            table[i].action = rules[33 * i + 32];
        }
    }
    enter(s);
    nids_register_chksum_ctl6(table, n);
    if (s->offload)
        jnids_offload_rules6(s->offload, table, n);
    leave(s);
    free(s->chksum6);
    s->chksum6 = table;
    s->nchksum6 = n;
    return 0;
}

/* An IPv6 address's 16 bytes as two big-endian int64 box slots. */
static void put_addr6(int64_t *slots, const u_char *a)
{
    uint64_t hi = 0, lo = 0;
    for (int i = 0; i < 8; i++) {
        hi = hi << 8 | a[i];
        lo = lo << 8 | a[8 + i];
    }
    slots[0] = (int64_t)hi;
    slots[1] = (int64_t)lo;
}

static inline int ip_version(const void *iph) { return ((const u_char *)iph)[0] >> 4; }

void jnids_set_offload(jnids_session *s, struct jnids_offload *o)
{
    enter(s);
    if (s->offload && s->offload != o)
        jnids_offload_free(s->offload);
    s->offload = o;
    if (o) {
        jnids_offload_rules(o, s->chksum, s->nchksum);
        jnids_offload_rules6(o, s->chksum6, s->nchksum6);
    } else {
        nids_register_chksum_ctl(s->chksum, s->nchksum);
        nids_register_chksum_ctl6(s->chksum6, s->nchksum6);
    }
    leave(s);
}

struct jnids_offload *jnids_get_offload(jnids_session *s) { return s->offload; }

/* Raw callbacks are Java code called by JNI up-calls from inside libnids, so
 * libnids must then run on the Java thread's own stack: HotSpot keeps Java
 * frames and monitors only there. Once one is registered, the session stays
 * with up-calls for the rest of its life. */
#define RAW_REGISTRATION(name, call, type, mark) \
    void name(jnids_session *s, type f) { enter(s); if (mark) s->raw_callbacks = 1; call((void *)f); leave(s); }
RAW_REGISTRATION(jnids_raw_register_tcp, nids_register_tcp, jnids_tcp_callback, 1)
RAW_REGISTRATION(jnids_raw_unregister_tcp, nids_unregister_tcp, jnids_tcp_callback, 0)
RAW_REGISTRATION(jnids_raw_register_udp, nids_register_udp, jnids_udp_callback, 1)
RAW_REGISTRATION(jnids_raw_unregister_udp, nids_unregister_udp, jnids_udp_callback, 0)
RAW_REGISTRATION(jnids_raw_register_ip, nids_register_ip, jnids_ip_callback, 1)
RAW_REGISTRATION(jnids_raw_unregister_ip, nids_unregister_ip, jnids_ip_callback, 0)
RAW_REGISTRATION(jnids_raw_register_ip_frag, nids_register_ip_frag, jnids_ip_callback, 1)
RAW_REGISTRATION(jnids_raw_unregister_ip_frag, nids_unregister_ip_frag, jnids_ip_callback, 0)

/* How a callback reaches Java: on the coroutine, as an event returned by the
 * down-call that resumed libnids (jnids_call, jnids_reply); otherwise by the
 * JNI up-call given to jnids_set_upcalls(). */
static int64_t event(int kind, int detail, int arg)
{
    return (int64_t)((uint64_t)(uint32_t)arg << JNIDS_EV_ARG_SHIFT
                     | (uint64_t)(uint32_t)(detail & JNIDS_EV_DETAIL_MASK) << JNIDS_EV_DETAIL_SHIFT
                     | (uint32_t)(kind & JNIDS_EV_KIND_MASK));
}

/* Leaves the session's engine for the caller's and suspends the coroutine;
 * the reply comes back through jnids_reply(), which enters the session again. */
static int yield_event(jnids_session *s, int64_t ev)
{
    leave(s);
    return jnids_co_yield(&s->co, ev);
}

/* An IP callback whose datagram lies in the packet being processed is not
 * handed over on its own: it waits in ip_box and goes with the next event of
 * the same packet (flag JNIDS_EV_IP_FIRST; Java runs the IP handlers first)
 * or, when there is none, alone as the packet ends. On TCP traffic this halves
 * the crossings when both IP and TCP handlers listen. Handlers see the same
 * order as before: libnids calls IP listeners before it processes TCP and UDP,
 * and nothing of that processing is visible to Java in between. */
static int take_waiting_ip(jnids_session *s)
{
    int flag = s->ip_waiting ? JNIDS_EV_IP_FIRST : 0;
    s->ip_waiting = 0;
    return flag;
}

#define DELIVER(s, kind, detail, arg, upcall) \
    (jnids_co_inside(&(s)->co) ? yield_event(s, event((kind) | take_waiting_ip(s), detail, arg)) : (upcall))

/* Whether callbacks are to be dropped: stopped, being freed, or no up-calls. */
static inline int muted(const jnids_session *s, int has_upcall)
{
    return atomic_load_explicit(&s->stop, memory_order_relaxed) || s->dying || !has_upcall;
}

/* An up-call asked to stop (a handler threw, or called stop): no further
 * handler runs for the rest of this packet, and the loop ends after it. */
static void stop_after_upcall(jnids_session *s, int rc)
{
    if (rc)
        jnids_stop(s);
}

int jnids_kill_current(jnids_session *s)
{
    if (!s->current_tcp) {
        set_error(s, "%s", "no TCP callback is running");
        return -1;
    }
    return jnids_kill(s, s->current_tcp);
}

static void fill_half(int64_t *box, const struct half_stream *h)
{
    box[JNIDS_HALF_STATE] = h->state;
    box[JNIDS_HALF_COLLECT] = h->collect;
    box[JNIDS_HALF_COLLECT_URG] = h->collect_urg;
    box[JNIDS_HALF_COUNT] = h->count;
    box[JNIDS_HALF_OFFSET] = h->offset;
    box[JNIDS_HALF_COUNT_NEW] = h->count_new;
    box[JNIDS_HALF_COUNT_NEW_URG] = h->count_new_urg;
    box[JNIDS_HALF_URGDATA] = h->urgdata;
    box[JNIDS_HALF_DATA] = (int64_t)(intptr_t)h->data;
    box[JNIDS_HALF_BUFSIZE] = h->bufsize;
    box[JNIDS_HALF_GAP_BEFORE] = h->gap_before;
    box[JNIDS_HALF_GAPS] = h->gaps;
    box[JNIDS_HALF_MISSING] = h->missing;
}

/* libnids' collect counters are chars. Java keeps its handlers' counts itself
 * and hands back at most 1 on top of the other listeners' part (TcpDispatcher),
 * so the clamp only matters for raw listeners beyond char range. */
static char collect_counter(int64_t v)
{
    return (char)(v < 0 ? 0 : v > 127 ? 127 : v);
}

static void apply_half(const int64_t *box, struct half_stream *h)
{
    h->collect = collect_counter(box[JNIDS_HALF_COLLECT]);
    h->collect_urg = collect_counter(box[JNIDS_HALF_COLLECT_URG]);
}

static void tcp_trampoline(struct tcp_stream *a_tcp, void **param)
{
    jnids_session *s = current;
    if (muted(s, tcp_upcall != NULL))
        return;
    int64_t *b = s->tcp_box;
    b[JNIDS_TCP_STATE] = a_tcp->nids_state;
    b[JNIDS_TCP_SADDR] = (int32_t)a_tcp->addr.saddr;
    b[JNIDS_TCP_DADDR] = (int32_t)a_tcp->addr.daddr;
    b[JNIDS_TCP_SPORT] = a_tcp->addr.source;
    b[JNIDS_TCP_DPORT] = a_tcp->addr.dest;
    b[JNIDS_TCP_PARAM] = (int64_t)(intptr_t)*param;
    b[JNIDS_TCP_DISCARD] = -1;
    b[JNIDS_TCP_STREAM] = (int64_t)(intptr_t)a_tcp;
    b[JNIDS_TCP_IPV6] = a_tcp->ipv6;
    if (a_tcp->ipv6) {
        put_addr6(b + JNIDS_TCP_SADDR6, a_tcp->addr6.saddr);
        put_addr6(b + JNIDS_TCP_DADDR6, a_tcp->addr6.daddr);
    }
    b[JNIDS_TCP_MIDSTREAM] = a_tcp->midstream;
    fill_half(b + JNIDS_TCP_CLIENT, &a_tcp->client);
    fill_half(b + JNIDS_TCP_SERVER, &a_tcp->server);

    s->current_tcp = a_tcp;
    int rc = DELIVER(s, JNIDS_EV_TCP, 0, a_tcp->nids_state, tcp_upcall(s->id, a_tcp->nids_state));
    s->current_tcp = NULL;

    apply_half(b + JNIDS_TCP_CLIENT, &a_tcp->client);
    apply_half(b + JNIDS_TCP_SERVER, &a_tcp->server);
    *param = (void *)(intptr_t)b[JNIDS_TCP_PARAM];
    if (b[JNIDS_TCP_DISCARD] >= 0)
        nids_discard(a_tcp, (int)b[JNIDS_TCP_DISCARD]);
    stop_after_upcall(s, rc);
}

/* IPv4's total length, or IPv6's 40 + payload length. */
static int ip_total_length(const struct ip *iph, int available)
{
    const u_char *p = (const u_char *)iph;
    int n = ip_version(p) == 6 ? 40 + (p[4] << 8 | p[5]) : ntohs(iph->ip_len);
    return n < available ? n : available;
}

/* Zero copy: the boxes carry the packet's own address, valid during the
 * up-call, and Java points a reusable view at it. Otherwise the bytes are
 * copied into the staging buffers, which Java's views show. */
void jnids_set_zero_copy(jnids_session *s, int on) { s->zero_copy = on; }

static void expose(jnids_session *s, int64_t *box, int addr_slot, int stage, const void *src, int len)
{
    if (s->zero_copy) {
        box[addr_slot] = (int64_t)(intptr_t)src;
    } else {
        u_char *to = jnids_stage(s, stage);
        memcpy(to, src, len);
        box[addr_slot] = (int64_t)(intptr_t)to;
    }
}

static int clip(int len, int max)
{
    return len < 0 ? 0 : len > max ? max : len;
}

static void udp_trampoline(struct tuple4 *addr, u_char *data, int len, struct ip *iph)
{
    jnids_session *s = current;
    if (muted(s, udp_upcall != NULL))
        return;
    int max = s->zero_copy ? 65535 : JNIDS_STAGE_BYTES;
    int iplen = ip_total_length(iph, max);
    len = clip(len, max);
    int64_t *b = s->udp_box;
    expose(s, b, JNIDS_PKT_PAYLOAD_ADDR, 0, data, len);
    expose(s, b, JNIDS_PKT_IP_ADDR, 1, iph, iplen);
    b[JNIDS_PKT_SADDR] = (int32_t)addr->saddr;
    b[JNIDS_PKT_DADDR] = (int32_t)addr->daddr;
    b[JNIDS_PKT_IPV6] = ip_version(iph) == 6;
    if (b[JNIDS_PKT_IPV6]) {
        put_addr6(b + JNIDS_PKT_SADDR6, (const u_char *)iph + 8);
        put_addr6(b + JNIDS_PKT_DADDR6, (const u_char *)iph + 24);
    }
    b[JNIDS_PKT_SPORT] = addr->source;
    b[JNIDS_PKT_DPORT] = addr->dest;
    b[JNIDS_PKT_IP_LEN] = iplen;
    b[JNIDS_PKT_PAYLOAD_LEN] = len;
    stop_after_upcall(s, DELIVER(s, JNIDS_EV_UDP, 0, len, udp_upcall(s->id, len)));
}

/* libnids passes its internal sk_buff size as len to IP callbacks; the
 * datagram itself is ntohs(ip_len) bytes long (checked against the captured
 * length, or allocated that long by defragmentation). */
static void ip_trampoline(struct ip *iph, int skblen)
{
    (void)skblen;
    jnids_session *s = current;
    if (muted(s, ip_upcall != NULL))
        return;
    int len = ip_total_length(iph, s->zero_copy ? 65535 : JNIDS_STAGE_BYTES);
    expose(s, s->ip_box, JNIDS_PKT_IP_ADDR, 2, iph, len);
    s->ip_box[JNIDS_PKT_IP_LEN] = len;
    /* A reassembled datagram is freed before the packet ends: never kept. */
    const u_char *p = (const u_char *)iph;
    int in_packet = p >= s->packet && p + len <= s->packet + s->caplen;
    if (jnids_co_inside(&s->co) && (in_packet || !s->zero_copy)) {
        s->ip_waiting = 1;
        return;
    }
    stop_after_upcall(s, DELIVER(s, JNIDS_EV_IP, JNIDS_KIND_IP, len, ip_upcall(s->id, JNIDS_KIND_IP, len)));
}

/* IP fragment callbacks get the bytes captured for the packet, never more. */
static void ip_frag_trampoline(struct ip *iph, int caplen)
{
    jnids_session *s = current;
    if (muted(s, ip_upcall != NULL))
        return;
    int len = clip(caplen, s->zero_copy ? INT32_MAX : JNIDS_STAGE_BYTES);
    expose(s, s->ip_box, JNIDS_PKT_IP_ADDR, 2, iph, len);
    s->ip_box[JNIDS_PKT_IP_LEN] = len;
    stop_after_upcall(s, DELIVER(s, JNIDS_EV_IP, JNIDS_KIND_IP_FRAG, len, ip_upcall(s->id, JNIDS_KIND_IP_FRAG, len)));
}

static int filter_trampoline(struct ip *iph, int len)
{
    jnids_session *s = current;
    if (muted(s, filter_upcall != NULL))
        return 1;
    int n = clip(len, s->zero_copy ? INT32_MAX : JNIDS_STAGE_BYTES);
    expose(s, s->filter_box, JNIDS_PKT_IP_ADDR, 3, iph, n);
    s->filter_box[JNIDS_PKT_IP_LEN] = n;
    int rc = DELIVER(s, JNIDS_EV_FILTER, 0, n, filter_upcall(s->id, n));
    if (rc < 0) {
        jnids_stop(s);
        return 0;
    }
    return rc;
}

/* libnids reports malformed traffic and port scans through nids_params.syslog;
 * jnids never lets them reach syslog(3). */
static void warning_trampoline(int type, int errnum, struct ip *iph, void *data)
{
    jnids_session *s = current;
    if (s->dying)
        return;
    int64_t *b = s->warning_box;
    memset(b, 0, sizeof s->warning_box);
    /* libnids reports a packet too short for an IP header with the header
     * pointer all the same: its addresses would be read past the captured
     * bytes (stale memory, often the previous packet's). */
    int captured_ip = (int)s->caplen - (int)nids_linkoffset;
    int header_captured = type != NIDS_WARN_IP || errnum != NIDS_WARN_IP_HDR || captured_ip >= (int)sizeof(struct ip);
    /* An IPv6 header (nids_params.ipv6) is reported only when captured whole. */
    if (iph && type != NIDS_WARN_SCAN && header_captured && nids_params.ipv6 && ip_version(iph) == 6) {
        b[JNIDS_PKT_IPV6] = 1;
        put_addr6(b + JNIDS_PKT_SADDR6, (const u_char *)iph + 8);
        put_addr6(b + JNIDS_PKT_DADDR6, (const u_char *)iph + 24);
    } else if (iph && type != NIDS_WARN_SCAN && header_captured) {
        b[JNIDS_PKT_SADDR] = (int32_t)iph->ip_src.s_addr;
        b[JNIDS_PKT_DADDR] = (int32_t)iph->ip_dst.s_addr;
    }
    if (type == NIDS_WARN_TCP && data && errnum != NIDS_WARN_TCP_HDR) {
        const struct tcphdr *th = data;
        b[JNIDS_PKT_SPORT] = ntohs(th->th_sport);
        b[JNIDS_PKT_DPORT] = ntohs(th->th_dport);
    }
    if (type == NIDS_WARN_SCAN && data) {
        /* Java refuses scan_num_ports >= JNIDS_SCAN_MAX, so the clip never cuts. */
        const struct host *h = data;
        int n = h->n_packets < 0 ? 0 : h->n_packets > JNIDS_SCAN_MAX ? JNIDS_SCAN_MAX : h->n_packets;
        int64_t *probes = stage_scan(s);
        b[JNIDS_PKT_SADDR] = (int32_t)h->addr;
        b[JNIDS_PKT_IPV6] = h->ipv6;
        if (h->ipv6)
            put_addr6(b + JNIDS_PKT_SADDR6, h->addr6);
        for (int i = 0; i < n; i++) {
            int64_t *p = probes + JNIDS_SCAN_SLOTS * i;
            p[0] = (int32_t)h->packets[i].addr;
            p[1] = h->packets[i].port;
            p[2] = h->packets[i].flags;
            if (h->ipv6)
                put_addr6(p + 3, h->packets6[i]);
            else
                p[3] = p[4] = 0;
        }
        b[JNIDS_PKT_SCAN_COUNT] = n;
    }
    if (muted(s, warning_upcall != NULL))
        return;
    stop_after_upcall(s, DELIVER(s, JNIDS_EV_WARNING, type, errnum, warning_upcall(s->id, type, errnum)));
}

/* libnids' own handler prints and exit()s. Inside a dispatch, jnids leaves the
 * loop instead and abandons the session; elsewhere libnids only allocates in
 * nids_init(), where jnids_open() catches it the same way. */
static void no_mem_hook(char *where)
{
    jnids_session *s = current;
    set_error_code(s, JNIDS_ERR_NO_MEMORY, "libnids ran out of memory in %s", where);
    if (s->in_loop)
        longjmp(s->out_of_memory, 1);
    fprintf(stderr, "jnids: %s outside a capture loop; aborting\n", s->error);
    abort();
}

void jnids_set_upcalls(jnids_tcp_upcall tcp, jnids_udp_upcall udp, jnids_ip_upcall ip,
                       jnids_warning_upcall warning, jnids_filter_upcall filter)
{
    tcp_upcall = tcp;
    udp_upcall = udp;
    ip_upcall = ip;
    warning_upcall = warning;
    filter_upcall = filter;
}

static int default_ip_filter(struct ip *x, int len)
{
    (void)x;
    (void)len;
    return 1;
}

/* With the session's engine current. */
static void apply_listen(int kind, int on)
{
    switch (kind) {
    case 0:
        on ? nids_register_tcp((void *)tcp_trampoline) : nids_unregister_tcp((void *)tcp_trampoline);
        break;
    case 1:
        on ? nids_register_udp((void *)udp_trampoline) : nids_unregister_udp((void *)udp_trampoline);
        break;
    case 2:
        on ? nids_register_ip((void *)ip_trampoline) : nids_unregister_ip((void *)ip_trampoline);
        break;
    case 3:
        on ? nids_register_ip_frag((void *)ip_frag_trampoline)
           : nids_unregister_ip_frag((void *)ip_frag_trampoline);
        break;
    case 4:
        nids_params.ip_filter = on ? (int (*)())filter_trampoline : (int (*)())default_ip_filter;
        break;
    }
}

/* libnids rebuilds its callback lists in nids_init(), so the wish is kept here
 * and applied again whenever a session opens. */
void jnids_listen(jnids_session *s, int kind, int on)
{
    if (kind < 0 || kind > 4)
        return;
    s->listening[kind] = on;
    if (s->pcap || kind == 4) {
        enter(s);
        apply_listen(kind, on);
        leave(s);
    }
}

/* As nids_init() decides; raw IPv6 (DLT_IPV6) only while IPv6 is decoded. */
static int supported_linktype(int dlt, int ipv6)
{
    switch (dlt) {
    case DLT_IPV6:
        return ipv6;
    case DLT_EN10MB: case DLT_NULL: case DLT_PPP: case DLT_IEEE802: case DLT_RAW:
    case DLT_SLIP: case DLT_LINUX_SLL: case DLT_FDDI: case DLT_PPP_SERIAL:
    case DLT_IEEE802_11: case DLT_PRISM_HEADER: case DLT_IEEE802_11_RADIO:
        return 1;
    default:
        return 0;
    }
}

static pcap_t *open_live_device(jnids_session *s, const char *device)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    const char *name = device;
    int promisc = nids_params.promisc != 0;
    if (!strcmp(name, "all")) {
        name = "any";
        promisc = 0;
    }
    pcap_t *p = pcap_create(name, errbuf);
    if (!p) {
        set_error_code(s, JNIDS_ERR_CAPTURE, "cannot open device: %s", errbuf);
        return NULL;
    }
    /* libnids asks for 16384 bytes, which truncates the segments of
     * interfaces with a large MTU (loopback's is 65536) or with receive
     * offloads: libnids then drops them as invalid and streams stall. */
    pcap_set_snaplen(p, 262144);
    pcap_set_promisc(p, promisc);
    pcap_set_timeout(p, nids_params.pcap_timeout);
    int rc = pcap_activate(p);
    if (rc < 0) {
        const char *why = pcap_geterr(p);
        switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            s->error_code = JNIDS_ERR_NO_DEVICE;
            snprintf(s->error, sizeof s->error,
                     "interface '%s' not found (%s); list interfaces with 'ip link'", device, why);
            break;
        case PCAP_ERROR_PERM_DENIED:
            s->error_code = JNIDS_ERR_PERMISSION;
            snprintf(s->error, sizeof s->error,
                     "no permission to capture on '%s' (%s); run as root or grant CAP_NET_RAW", device, why);
            break;
        default:
            s->error_code = JNIDS_ERR_CAPTURE;
            snprintf(s->error, sizeof s->error, "cannot capture on '%s': %s", device, why);
        }
        pcap_close(p);
        return NULL;
    }
    return p;
}

static char *default_device(jnids_session *s)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, errbuf) < 0 || !all) {
        set_error_code(s, JNIDS_ERR_NO_DEVICE, "no capture device found: %s", all ? "" : errbuf);
        return NULL;
    }
    snprintf(s->device_name, sizeof s->device_name, "%s", all->name);
    pcap_freealldevs(all);
    return s->device_name;
}

int jnids_is_open(jnids_session *s) { return s->pcap != NULL; }
int jnids_linktype(jnids_session *s) { return s->pcap ? pcap_datalink(s->pcap) : -1; }

/* pcap_open_offline(), with the session's read buffer ("-" is standard
 * input, read as libpcap reads it). */
static pcap_t *open_capture_file(jnids_session *s, const char *name, char *errbuf)
{
    if (strcmp(name, "-") == 0)
        return pcap_open_offline(name, errbuf);
    FILE *f = fopen(name, "rb");
    if (!f) {
        s->error_code = errno == ENOENT ? JNIDS_ERR_MISSING_FILE
                      : errno == ENOMEM ? JNIDS_ERR_NO_MEMORY : JNIDS_ERR_FILE_ACCESS;
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", name, strerror(errno));
        return NULL;
    }
    if (!s->read_buffer)
        s->read_buffer = malloc(JNIDS_READ_BUFFER_BYTES);
    if (s->read_buffer)
        setvbuf(f, s->read_buffer, _IOFBF, JNIDS_READ_BUFFER_BYTES);
    pcap_t *p = pcap_fopen_offline(f, errbuf);
    if (!p) {
        /* libpcap says why in words only; a file that opened but is not
         * read as a capture is "not a capture" unless it is empty or short. */
        s->error_code = JNIDS_ERR_NOT_A_CAPTURE;
        fclose(f);
    }
    return p;
}

/* Closes the capture so that a concurrent jnids_stop() never uses it after. */
static void close_capture(jnids_session *s)
{
    pcap_t *p = s->pcap;
    if (!p)
        return;
    atomic_store(&s->breakable, NULL);
    while (atomic_load(&s->stoppers) != 0)
        sched_yield();
    s->pcap = NULL;
    pcap_close(p);
    /* the stdio buffer outlives fclose() (inside pcap_close) only here */
    free(s->read_buffer);
    s->read_buffer = NULL;
}

static int open_locked(jnids_session *s)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *volatile p;

    if (s->abandoned) {
        set_error_code(s, JNIDS_ERR_NO_MEMORY, "%s",
                       "this session ran out of memory and was abandoned; close it and use a new one");
        return 0;
    }
    if (s->pcap) {
        set_error(s, "%s", "a session is already open");
        return 0;
    }
    s->error_code = JNIDS_ERR_NONE;
    if (nids_params.filename) {
        s->error_code = JNIDS_ERR_CAPTURE;
        p = open_capture_file(s, nids_params.filename, errbuf);
        if (!p) {
            snprintf(s->error, sizeof s->error, "cannot read capture '%s': %s", nids_params.filename, errbuf);
            return 0;
        }
    } else {
        const char *device = nids_params.device ? nids_params.device : default_device(s);
        if (!device)
            return 0;
        if (!(p = open_live_device(s, device)))
            return 0;
    }

    int dlt = pcap_datalink(p);
    if (!supported_linktype(dlt, nids_params.ipv6)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        s->error_code = JNIDS_ERR_LINK_TYPE;
        snprintf(s->error, sizeof s->error,
                 "link type %d (%s) is not supported by libnids; supported: EN10MB, LINUX_SLL, RAW, NULL, "
                 "PPP, PPP_SERIAL, SLIP, IEEE802, FDDI, IEEE802_11, IEEE802_11_RADIO, PRISM_HEADER%s",
                 dlt, name ? name : "unknown", nids_params.ipv6 ? ", IPV6" : " (and IPV6 with ipv6 on)");
        pcap_close(p);
        return 0;
    }

    if (nids_params.pcap_filter) {
        struct bpf_program prog;
        s->error_code = JNIDS_ERR_FILTER;
        if (pcap_compile(p, &prog, nids_params.pcap_filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(s->error, sizeof s->error, "invalid pcap_filter '%s': %s",
                     nids_params.pcap_filter, pcap_geterr(p));
            pcap_close(p);
            return 0;
        }
        int rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            snprintf(s->error, sizeof s->error, "cannot apply pcap_filter '%s': %s",
                     nids_params.pcap_filter, pcap_geterr(p));
            pcap_close(p);
            return 0;
        }
    }

    /* libnids is handed the open capture; the filter is already applied, so it
     * must not compile it again, and it must never reach syslog(3) or exit(). */
    char *filter = nids_params.pcap_filter;
    s->dev_addon = nids_params.dev_addon;
    nids_params.pcap_filter = NULL;
    nids_params.pcap_desc = p;
    nids_params.syslog = (void (*)())warning_trampoline;
    nids_params.no_mem = no_mem_hook;
    nids_errbuf[0] = 0;
    s->in_loop = 1;
    int ok;
    if (setjmp(s->out_of_memory)) {
        ok = 0;
        s->abandoned = 1;
    } else {
        ok = nids_init();
    }
    s->in_loop = 0;
    nids_params.pcap_filter = filter;
    nids_params.pcap_desc = NULL;
    if (!ok) {
        if (!s->abandoned)
            set_error_code(s, JNIDS_ERR_CAPTURE, "libnids could not start: %s", nids_errbuf);
        nids_params.dev_addon = s->dev_addon;
        pcap_close(p);
        return 0;
    }
    s->error_code = JNIDS_ERR_NONE;
    s->pcap = p;
    if (s->offload)
        jnids_offload_begin(s->offload, dlt, nids_params.filename);
    atomic_store(&s->stop, 0);
    atomic_store(&s->breakable, p);
    s->packets = 0;
    s->last_ts = 0;
    for (int kind = 0; kind < 4; kind++)
        if (s->listening[kind])
            apply_listen(kind, 1);
    return 1;
}

int jnids_open(jnids_session *s)
{
    enter(s);
    int ok = open_locked(s);
    leave(s);
    if (!ok && !s->pcap) {
        free(s->read_buffer);
        s->read_buffer = NULL;
    }
    return ok;
}

/* With the session's engine current. */
static void close_entered(jnids_session *s)
{
    if (!s->pcap)
        return;
    /* nids_exit() frees only the head node of the IP lists, and none of the
     * TCP and UDP ones: take jnids' nodes out first (IP) and after (TCP, UDP,
     * whose handlers must still see NIDS_EXITING), so sessions leak nothing. */
    apply_listen(2, 0);
    apply_listen(3, 0);
    atomic_store(&s->stop, 0);
    nids_params.pcap_desc = s->pcap;
    s->in_loop = 1;
    if (setjmp(s->out_of_memory)) {
        s->abandoned = 1;
    } else {
        nids_exit();
        apply_listen(0, 0);
        apply_listen(1, 0);
    }
    s->in_loop = 0;
    nids_params.pcap_desc = NULL;
    if (s->offload)
        jnids_offload_end(s->offload);
    /* nids_init() replaced -1 (automatic) by its choice for this link type */
    nids_params.dev_addon = s->dev_addon;
    close_capture(s);
}

void jnids_close(jnids_session *s)
{
    if (current == s) {
        close_entered(s);       /* on the coroutine, or inside jnids_call */
        return;
    }
    enter(s);
    close_entered(s);
    leave(s);
}

void jnids_session_free(jnids_session *s)
{
    if (!s)
        return;
    if (jnids_co_busy(&s->co)) {
        /* libnids is suspended in the middle of a call on the coroutine's
         * stack: neither it nor the engine can be taken down safely. */
        return;
    }
    s->dying = 1;
    if (!s->abandoned) {
        jnids_close(s);
        if (s->offload && !s->abandoned) {
            enter(s);
            jnids_offload_free(s->offload);
            leave(s);
        }
        s->offload = NULL;
        if (!s->abandoned)
            nids_engine_free(s->engine);
    } else if (s->pcap) {
        close_capture(s);
    }
    jnids_co_release(&s->co);
    munmap(s->stage, STAGE_MAP_BYTES);
    for (int i = 0; i < 3; i++)
        free(s->strings[i]);
    free(s->chksum);
    free(s->chksum6);
    free(s->read_buffer);
    free(s);
}

static void packet_handler(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
    jnids_session *s = (jnids_session *)(void *)user;
    s->last_ts = hdr->ts.tv_sec + hdr->ts.tv_usec / 1e6;
    s->packets++;
    s->caplen = hdr->caplen;
    s->packet = data;
    s->ip_waiting = 0;
    if (s->offload)
        jnids_offload_packet(s->offload, hdr, data);
    nids_pcap_handler(NULL, (struct pcap_pkthdr *)hdr, (u_char *)data);
    /* The IP callback of a packet with no other event goes alone. */
    if (s->ip_waiting) {
        s->ip_waiting = 0;
        if (!atomic_load_explicit(&s->stop, memory_order_relaxed) && !s->dying)
            stop_after_upcall(s, yield_event(s, event(JNIDS_EV_IP, JNIDS_KIND_IP, (int)s->ip_box[JNIDS_PKT_IP_LEN])));
    }
    s->packet = NULL;
}

/* Runs one libpcap loop call with the out-of-memory escape armed, with the
 * session's engine current. */
static int guarded_dispatch(jnids_session *s, int cnt, int one)
{
    if (!s->pcap) {
        set_error(s, "%s", "no session is open");
        return JNIDS_ERROR;
    }
    atomic_store(&s->stop, 0);
    s->error[0] = 0;
    s->error_code = JNIDS_ERR_NONE;
    s->in_loop = 1;
    if (setjmp(s->out_of_memory)) {
        /* libnids' state is inconsistent now: it is never touched again. */
        s->in_loop = 0;
        s->abandoned = 1;
        close_capture(s);
        return JNIDS_NO_MEMORY;
    }
    int r;
    u_char *user = (u_char *)(void *)s;
    /* libpcap keeps a pcap_breakloop() request until a loop call consumes it
     * by returning PCAP_ERROR_BREAK, and a loop call that processed packets
     * before the request returns their count and leaves it set: the request
     * of a stop (or of a handler's exception) during the previous call must
     * not end this one. A break with no stop requested since this call began
     * is such a leftover: it is now consumed, so the call is made again. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (one) {
            struct pcap_pkthdr *hdr;
            const u_char *data;
            r = pcap_next_ex(s->pcap, &hdr, &data);
            if (r == 1)
                packet_handler(user, hdr, data);
        } else {
            r = pcap_dispatch(s->pcap, cnt, packet_handler, user);
            if (r == 0 && pcap_file(s->pcap))
                r = JNIDS_END;
        }
        if (r != PCAP_ERROR_BREAK || atomic_load(&s->stop))
            break;
    }
    /* On a file, pcap_next_ex() says PCAP_ERROR_BREAK at the end too. */
    if (one && r == PCAP_ERROR_BREAK && !atomic_load(&s->stop) && pcap_file(s->pcap))
        r = JNIDS_END;
    s->in_loop = 0;
    if (r == PCAP_ERROR_BREAK)
        return JNIDS_STOPPED;
    if (r == PCAP_ERROR) {
        s->error_code = pcap_file(s->pcap) ? JNIDS_ERR_DAMAGED : JNIDS_ERR_CAPTURE;
        snprintf(s->error, sizeof s->error, "%s", pcap_geterr(s->pcap));
        return JNIDS_ERROR;
    }
    return r;
}

static int run_entered(jnids_session *s, int op, int arg)
{
    switch (op) {
    case JNIDS_OP_DISPATCH:
        return guarded_dispatch(s, arg, 0);
    case JNIDS_OP_NEXT:
        return guarded_dispatch(s, 1, 1);
    case JNIDS_OP_CLOSE:
        close_entered(s);
        return JNIDS_OK;
    default:
        set_error(s, "%s", "unknown operation");
        return JNIDS_ERROR;
    }
}

int jnids_dispatch(jnids_session *s, int cnt)
{
    enter(s);
    int r = guarded_dispatch(s, cnt, 0);
    leave(s);
    return r;
}

int jnids_next(jnids_session *s)
{
    enter(s);
    int r = guarded_dispatch(s, 1, 1);
    leave(s);
    return r;
}

void jnids_set_coroutine(jnids_session *s, int on) { s->coroutine_wanted = on; }

int jnids_coroutine_used(jnids_session *s)
{
    return s->coroutine_wanted && !s->raw_callbacks && jnids_co_available(&s->co);
}

/* The coroutine's body: the session was entered by jnids_call() and is left
 * before the coroutine finishes, as before each event. */
static int co_body(void *ctx, int op, int arg)
{
    jnids_session *s = ctx;
    int r = run_entered(s, op, arg);
    leave(s);
    return r;
}

int64_t jnids_call(jnids_session *s, int op, int arg)
{
    if (jnids_co_busy(&s->co)) {
        set_error(s, "%s", "libnids is already running: finish the current call (reply to its events) first");
        return jnids_co_finished(JNIDS_ERROR);
    }
    enter(s);
    if (jnids_coroutine_used(s))
        return jnids_co_start(&s->co, co_body, s, op, arg);
    int r = run_entered(s, op, arg);
    leave(s);
    return jnids_co_finished(r);
}

int64_t jnids_reply(jnids_session *s, int reply)
{
    if (!jnids_co_busy(&s->co) || jnids_co_inside(&s->co)) {
        set_error(s, "%s", "no event is waiting for a reply");
        return jnids_co_finished(JNIDS_ERROR);
    }
    enter(s);
    return jnids_co_resume(&s->co, reply);
}

void jnids_stop(jnids_session *s)
{
    atomic_store(&s->stop, 1);
    atomic_fetch_add(&s->stoppers, 1);
    pcap_t *p = atomic_load(&s->breakable);
    if (p)
        pcap_breakloop(p);
    atomic_fetch_sub(&s->stoppers, 1);
}

int jnids_stopped(jnids_session *s) { return atomic_load(&s->stop) != 0; }

int jnids_getfd(jnids_session *s) { return s->pcap ? pcap_get_selectable_fd(s->pcap) : -1; }

int jnids_stats(jnids_session *s, int64_t *out3)
{
    struct pcap_stat st;
    if (!s->pcap) {
        set_error(s, "%s", "no session is open");
        return -1;
    }
    if (pcap_stats(s->pcap, &st) < 0) {
        set_error_code(s, JNIDS_ERR_CAPTURE, "%s", pcap_geterr(s->pcap));
        return -1;
    }
    out3[0] = st.ps_recv;
    out3[1] = st.ps_drop;
    out3[2] = st.ps_ifdrop;
    return 0;
}

double jnids_last_ts(jnids_session *s) { return s->last_ts; }
int64_t jnids_packets(jnids_session *s) { return s->packets; }

int64_t jnids_file_offset(jnids_session *s)
{
    if (!s->pcap || !pcap_file(s->pcap))
        return -1;
    return ftell(pcap_file(s->pcap));
}
