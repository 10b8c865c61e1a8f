/*
 * jnids' native session: opens the capture itself (so that errors are precise,
 * the loop can be broken from any thread and timestamps outlive libpcap's
 * buffers), hands it to libnids through nids_params.pcap_desc, and forwards
 * libnids' callbacks to Java through the boxes described in jnids.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap.h>
#include <nids.h>
#include <libnids/scan.h>

#include "jnids.h"
#include "jnids_coroutine.h"
#include "jnids_offload.h"

static int64_t tcp_box[JNIDS_TCP_BOX_SLOTS];
static int64_t udp_box[JNIDS_PKT_BOX_SLOTS];
static int64_t ip_box[JNIDS_PKT_BOX_SLOTS];
static int64_t warning_box[JNIDS_PKT_BOX_SLOTS];
static int64_t filter_box[JNIDS_PKT_BOX_SLOTS];

/* 0: UDP payload, 1: UDP datagram, 2: IP / IP fragment, 3: filter, 4: scan probes */
static u_char stage_udp_payload[JNIDS_STAGE_BYTES];
static u_char stage_udp_ip[JNIDS_STAGE_BYTES];
static u_char stage_ip[JNIDS_STAGE_BYTES];
static u_char stage_filter[JNIDS_STAGE_BYTES];
static int64_t stage_scan[JNIDS_SCAN_MAX * 3];

static jnids_tcp_upcall tcp_upcall;
static jnids_udp_upcall udp_upcall;
static jnids_ip_upcall ip_upcall;
static jnids_warning_upcall warning_upcall;
static jnids_filter_upcall filter_upcall;

static struct {
    pcap_t *pcap;
    volatile sig_atomic_t stop;
    int in_loop;
    int abandoned;
    jmp_buf out_of_memory;
    double last_ts;
    int64_t packets;
    bpf_u_int32 caplen;     /* bytes captured of the packet being processed */
    const u_char *packet;   /* its bytes, valid until libnids is done with it */
    int dev_addon;          /* nids_params.dev_addon as set before nids_init() */
    struct jnids_offload *offload; /* checksum-offload detector, or NULL: libnids' own checks */
    char error[PCAP_ERRBUF_SIZE + 256];
} session;

static void set_error(const char *fmt, const char *detail)
{
    snprintf(session.error, sizeof session.error, fmt, detail ? detail : "");
}

const char *jnids_error(void) { return session.error; }
void jnids_set_kill_error(const char *message) { set_error("%s", message); }
int64_t *jnids_tcp_box(void) { return tcp_box; }
int64_t *jnids_udp_box(void) { return udp_box; }
int64_t *jnids_ip_box(void) { return ip_box; }
int64_t *jnids_warning_box(void) { return warning_box; }
int64_t *jnids_filter_box(void) { return filter_box; }

u_char *jnids_stage(int which)
{
    switch (which) {
    case 0: return stage_udp_payload;
    case 1: return stage_udp_ip;
    case 2: return stage_ip;
    case 3: return stage_filter;
    case 4: return (u_char *)stage_scan;
    default: return NULL;
    }
}

const char *jnids_pcap_version(void) { return pcap_lib_version(); }

/* Raw callbacks are Java code called by JNI up-calls from inside libnids, so
 * libnids must then run on the Java thread's own stack: HotSpot keeps Java
 * frames and monitors only there. Once one is registered, jnids stays with
 * up-calls for the rest of the process. */
static int raw_callbacks;

void jnids_raw_register_tcp(jnids_tcp_callback f) { raw_callbacks = 1; nids_register_tcp((void *)f); }
void jnids_raw_unregister_tcp(jnids_tcp_callback f) { nids_unregister_tcp((void *)f); }
void jnids_raw_register_udp(jnids_udp_callback f) { raw_callbacks = 1; nids_register_udp((void *)f); }
void jnids_raw_unregister_udp(jnids_udp_callback f) { nids_unregister_udp((void *)f); }
void jnids_raw_register_ip(jnids_ip_callback f) { raw_callbacks = 1; nids_register_ip((void *)f); }
void jnids_raw_unregister_ip(jnids_ip_callback f) { nids_unregister_ip((void *)f); }
void jnids_raw_register_ip_frag(jnids_ip_callback f) { raw_callbacks = 1; nids_register_ip_frag((void *)f); }
void jnids_raw_unregister_ip_frag(jnids_ip_callback f) { nids_unregister_ip_frag((void *)f); }

/* How a callback reaches Java: on the coroutine, as an event returned by the
 * down-call that resumed libnids (jnids_call, jnids_reply); otherwise by the
 * JNI up-call given to jnids_set_upcalls(). */
static int64_t event(int kind, int detail, int arg)
{
    return (int64_t)((uint64_t)(uint32_t)arg << 32 | (uint64_t)(uint32_t)(detail & 0xffffff) << 8 | (uint32_t)kind);
}

/* An IP callback whose datagram lies in the packet being processed is not
 * handed over on its own: it waits in ip_box and goes with the next event of
 * the same packet (flag JNIDS_EV_IP_FIRST; Java runs the IP handlers first)
 * or, when there is none, alone as the packet ends. On TCP traffic this halves
 * the crossings when both IP and TCP handlers listen. Handlers see the same
 * order as before: libnids calls IP listeners before it processes TCP and UDP,
 * and nothing of that processing is visible to Java in between. */
static int ip_waiting;

static int take_waiting_ip(void)
{
    int flag = ip_waiting ? JNIDS_EV_IP_FIRST : 0;
    ip_waiting = 0;
    return flag;
}

#define DELIVER(kind, detail, arg, upcall) \
    (jnids_co_inside() ? jnids_co_yield(event((kind) | take_waiting_ip(), detail, arg)) : (upcall))

/* An up-call asked to stop (a handler threw, or called stop): no further
 * handler runs for the rest of this packet, and the loop ends after it. */
static void stop_after_upcall(int rc)
{
    if (rc)
        jnids_stop();
}

/* The stream whose TCP callback is running, for jnids_kill_current(). */
static struct tcp_stream *current_tcp;

int jnids_kill_current(void)
{
    if (!current_tcp) {
        set_error("%s", "no TCP callback is running");
        return -1;
    }
    return jnids_kill(current_tcp);
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
}

static void apply_half(const int64_t *box, struct half_stream *h)
{
    h->collect = (char)box[JNIDS_HALF_COLLECT];
    h->collect_urg = (char)box[JNIDS_HALF_COLLECT_URG];
}

static void tcp_trampoline(struct tcp_stream *a_tcp, void **param)
{
    if (session.stop || !tcp_upcall)
        return;
    int64_t *b = tcp_box;
    b[JNIDS_TCP_STATE] = a_tcp->nids_state;
    b[JNIDS_TCP_SADDR] = (int32_t)a_tcp->addr.saddr;
    b[JNIDS_TCP_DADDR] = (int32_t)a_tcp->addr.daddr;
    b[JNIDS_TCP_SPORT] = a_tcp->addr.source;
    b[JNIDS_TCP_DPORT] = a_tcp->addr.dest;
    b[JNIDS_TCP_PARAM] = (int64_t)(intptr_t)*param;
    b[JNIDS_TCP_DISCARD] = -1;
    b[JNIDS_TCP_STREAM] = (int64_t)(intptr_t)a_tcp;
    fill_half(b + JNIDS_TCP_CLIENT, &a_tcp->client);
    fill_half(b + JNIDS_TCP_SERVER, &a_tcp->server);

    current_tcp = a_tcp;
    int rc = DELIVER(JNIDS_EV_TCP, 0, a_tcp->nids_state, tcp_upcall(a_tcp->nids_state));
    current_tcp = NULL;

    apply_half(b + JNIDS_TCP_CLIENT, &a_tcp->client);
    apply_half(b + JNIDS_TCP_SERVER, &a_tcp->server);
    *param = (void *)(intptr_t)b[JNIDS_TCP_PARAM];
    if (b[JNIDS_TCP_DISCARD] >= 0)
        nids_discard(a_tcp, (int)b[JNIDS_TCP_DISCARD]);
    stop_after_upcall(rc);
}

static int ip_total_length(const struct ip *iph, int available)
{
    int n = ntohs(iph->ip_len);
    return n < available ? n : available;
}

/* Zero copy: the boxes carry the packet's own address, valid during the
 * up-call, and Java points a reusable view at it. Otherwise the bytes are
 * copied into the staging buffers, which Java's views show. */
static int zero_copy;

void jnids_set_zero_copy(int on) { zero_copy = on; }

static void expose(int64_t *box, int addr_slot, u_char *stage, const void *src, int len)
{
    if (zero_copy) {
        box[addr_slot] = (int64_t)(intptr_t)src;
    } else {
        memcpy(stage, src, len);
        box[addr_slot] = (int64_t)(intptr_t)stage;
    }
}

static int clip(int len, int max)
{
    return len < 0 ? 0 : len > max ? max : len;
}

static void udp_trampoline(struct tuple4 *addr, u_char *data, int len, struct ip *iph)
{
    if (session.stop || !udp_upcall)
        return;
    int max = zero_copy ? 65535 : JNIDS_STAGE_BYTES;
    int iplen = ip_total_length(iph, max);
    len = clip(len, max);
    expose(udp_box, JNIDS_PKT_PAYLOAD_ADDR, stage_udp_payload, data, len);
    expose(udp_box, JNIDS_PKT_IP_ADDR, stage_udp_ip, iph, iplen);
    udp_box[JNIDS_PKT_SADDR] = (int32_t)addr->saddr;
    udp_box[JNIDS_PKT_DADDR] = (int32_t)addr->daddr;
    udp_box[JNIDS_PKT_SPORT] = addr->source;
    udp_box[JNIDS_PKT_DPORT] = addr->dest;
    udp_box[JNIDS_PKT_IP_LEN] = iplen;
    udp_box[JNIDS_PKT_PAYLOAD_LEN] = len;
    stop_after_upcall(DELIVER(JNIDS_EV_UDP, 0, len, udp_upcall(len)));
}

/* libnids passes its internal sk_buff size as len to IP callbacks; the
 * datagram itself is ntohs(ip_len) bytes long (checked against the captured
 * length, or allocated that long by defragmentation). */
static void ip_trampoline(struct ip *iph, int skblen)
{
    if (session.stop || !ip_upcall)
        return;
    int len = ip_total_length(iph, zero_copy ? 65535 : JNIDS_STAGE_BYTES);
    expose(ip_box, JNIDS_PKT_IP_ADDR, stage_ip, iph, len);
    ip_box[JNIDS_PKT_IP_LEN] = len;
    /* A reassembled datagram is freed before the packet ends: never kept. */
    const u_char *p = (const u_char *)iph;
    int in_packet = p >= session.packet && p + len <= session.packet + session.caplen;
    if (jnids_co_inside() && (in_packet || !zero_copy)) {
        ip_waiting = 1;
        return;
    }
    stop_after_upcall(DELIVER(JNIDS_EV_IP, JNIDS_KIND_IP, len, ip_upcall(JNIDS_KIND_IP, len)));
}

/* IP fragment callbacks get the bytes captured for the packet, never more. */
static void ip_frag_trampoline(struct ip *iph, int caplen)
{
    if (session.stop || !ip_upcall)
        return;
    int len = clip(caplen, zero_copy ? INT32_MAX : JNIDS_STAGE_BYTES);
    expose(ip_box, JNIDS_PKT_IP_ADDR, stage_ip, iph, len);
    ip_box[JNIDS_PKT_IP_LEN] = len;
    stop_after_upcall(DELIVER(JNIDS_EV_IP, JNIDS_KIND_IP_FRAG, len, ip_upcall(JNIDS_KIND_IP_FRAG, len)));
}

static int filter_trampoline(struct ip *iph, int len)
{
    if (session.stop || !filter_upcall)
        return 1;
    int n = clip(len, zero_copy ? INT32_MAX : JNIDS_STAGE_BYTES);
    expose(filter_box, JNIDS_PKT_IP_ADDR, stage_filter, iph, n);
    filter_box[JNIDS_PKT_IP_LEN] = n;
    int rc = DELIVER(JNIDS_EV_FILTER, 0, n, filter_upcall(n));
    if (rc < 0) {
        jnids_stop();
        return 0;
    }
    return rc;
}

/* libnids reports malformed traffic and port scans through nids_params.syslog;
 * jnids never lets them reach syslog(3). */
static void warning_trampoline(int type, int errnum, struct ip *iph, void *data)
{
    int64_t *b = warning_box;
    memset(b, 0, sizeof warning_box);
    /* libnids reports a packet too short for an IP header with the header
     * pointer all the same: its addresses would be read past the captured
     * bytes (stale memory, often the previous packet's). */
    int captured_ip = (int)session.caplen - (int)nids_linkoffset;
    int header_captured = type != NIDS_WARN_IP || errnum != NIDS_WARN_IP_HDR || captured_ip >= (int)sizeof(struct ip);
    if (iph && type != NIDS_WARN_SCAN && header_captured) {
        b[JNIDS_PKT_SADDR] = (int32_t)iph->ip_src.s_addr;
        b[JNIDS_PKT_DADDR] = (int32_t)iph->ip_dst.s_addr;
    }
    if (type == NIDS_WARN_TCP && data && errnum != NIDS_WARN_TCP_HDR) {
        const struct tcphdr *th = data;
        b[JNIDS_PKT_SPORT] = ntohs(th->th_sport);
        b[JNIDS_PKT_DPORT] = ntohs(th->th_dport);
    }
    if (type == NIDS_WARN_SCAN && data) {
        const struct host *h = data;
        int n = h->n_packets < 0 ? 0 : h->n_packets > JNIDS_SCAN_MAX ? JNIDS_SCAN_MAX : h->n_packets;
        b[JNIDS_PKT_SADDR] = (int32_t)h->addr;
        for (int i = 0; i < n; i++) {
            stage_scan[3 * i] = (int32_t)h->packets[i].addr;
            stage_scan[3 * i + 1] = h->packets[i].port;
            stage_scan[3 * i + 2] = h->packets[i].flags;
        }
        b[JNIDS_PKT_SCAN_COUNT] = n;
    }
    if (session.stop || !warning_upcall)
        return;
    stop_after_upcall(DELIVER(JNIDS_EV_WARNING, type, errnum, warning_upcall(type, errnum)));
}

/* libnids' own handler prints and exit()s. Inside a dispatch, jnids leaves the
 * loop instead and abandons the session; elsewhere libnids only allocates in
 * nids_init(), where jnids_open() catches it the same way. */
static void no_mem_hook(char *where)
{
    set_error("libnids ran out of memory in %s", where);
    if (session.in_loop)
        longjmp(session.out_of_memory, 1);
    fprintf(stderr, "jnids: %s outside a capture loop; aborting\n", session.error);
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

static int listening[5];

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
void jnids_listen(int kind, int on)
{
    if (kind < 0 || kind > 4)
        return;
    listening[kind] = on;
    if (session.pcap || kind == 4)
        apply_listen(kind, on);
}

static int supported_linktype(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: case DLT_NULL: case DLT_PPP: case DLT_IEEE802: case DLT_RAW:
    case DLT_SLIP: case DLT_LINUX_SLL: case DLT_FDDI: case DLT_PPP_SERIAL:
    case DLT_IEEE802_11: case DLT_PRISM_HEADER: case DLT_IEEE802_11_RADIO:
        return 1;
    default:
        return 0;
    }
}

static pcap_t *open_live_device(const char *device)
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
        set_error("cannot open device: %s", errbuf);
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
            snprintf(session.error, sizeof session.error,
                     "interface '%s' not found (%s); list interfaces with 'ip link'", device, why);
            break;
        case PCAP_ERROR_PERM_DENIED:
            snprintf(session.error, sizeof session.error,
                     "no permission to capture on '%s' (%s); run as root or grant CAP_NET_RAW", device, why);
            break;
        default:
            snprintf(session.error, sizeof session.error,
                     "cannot capture on '%s': %s", device, why);
        }
        pcap_close(p);
        return NULL;
    }
    return p;
}

static char *default_device(void)
{
    static char name[256];
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_if_t *all = NULL;
    if (pcap_findalldevs(&all, errbuf) < 0 || !all) {
        set_error("no capture device found: %s", all ? "" : errbuf);
        return NULL;
    }
    snprintf(name, sizeof name, "%s", all->name);
    pcap_freealldevs(all);
    return name;
}

void jnids_set_offload(struct jnids_offload *o) { session.offload = o; }

int jnids_is_open(void) { return session.pcap != NULL; }
int jnids_linktype(void) { return session.pcap ? pcap_datalink(session.pcap) : -1; }

/* One capture is open at a time (jnids_open refuses a second), so one
 * buffer serves them all. */
static char read_buffer[JNIDS_READ_BUFFER_BYTES];

/* pcap_open_offline(), with jnids' read buffer ("-" is standard input, read
 * as libpcap reads it). */
static pcap_t *open_capture_file(const char *name, char *errbuf)
{
    if (strcmp(name, "-") == 0)
        return pcap_open_offline(name, errbuf);
    FILE *f = fopen(name, "rb");
    if (!f) {
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", name, strerror(errno));
        return NULL;
    }
    setvbuf(f, read_buffer, _IOFBF, sizeof read_buffer);
    pcap_t *p = pcap_fopen_offline(f, errbuf);
    if (!p)
        fclose(f);
    return p;
}

int jnids_open(void)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *volatile p;

    if (session.abandoned) {
        set_error("%s", "the previous session ran out of memory and was abandoned; libnids cannot start again in this process");
        return 0;
    }
    if (session.pcap) {
        set_error("%s", "a session is already open");
        return 0;
    }
    if (nids_params.filename) {
        p = open_capture_file(nids_params.filename, errbuf);
        if (!p) {
            snprintf(session.error, sizeof session.error, "cannot read capture '%s': %s",
                     nids_params.filename, errbuf);
            return 0;
        }
    } else {
        const char *device = nids_params.device ? nids_params.device : default_device();
        if (!device)
            return 0;
        if (!(p = open_live_device(device)))
            return 0;
    }

    int dlt = pcap_datalink(p);
    if (!supported_linktype(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(session.error, sizeof session.error,
                 "link type %d (%s) is not supported by libnids; supported: EN10MB, LINUX_SLL, RAW, NULL, "
                 "PPP, PPP_SERIAL, SLIP, IEEE802, FDDI, IEEE802_11, IEEE802_11_RADIO, PRISM_HEADER",
                 dlt, name ? name : "unknown");
        pcap_close(p);
        return 0;
    }

    if (nids_params.pcap_filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, nids_params.pcap_filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(session.error, sizeof session.error, "invalid pcap_filter '%s': %s",
                     nids_params.pcap_filter, pcap_geterr(p));
            pcap_close(p);
            return 0;
        }
        int rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            snprintf(session.error, sizeof session.error, "cannot apply pcap_filter '%s': %s",
                     nids_params.pcap_filter, pcap_geterr(p));
            pcap_close(p);
            return 0;
        }
    }

    /* libnids is handed the open capture; the filter is already applied, so it
     * must not compile it again, and it must never reach syslog(3) or exit(). */
    char *filter = nids_params.pcap_filter;
    session.dev_addon = nids_params.dev_addon;
    nids_params.pcap_filter = NULL;
    nids_params.pcap_desc = p;
    nids_params.syslog = (void (*)())warning_trampoline;
    nids_params.no_mem = no_mem_hook;
    nids_errbuf[0] = 0;
    session.in_loop = 1;
    int ok;
    if (setjmp(session.out_of_memory)) {
        ok = 0;
        session.abandoned = 1;
    } else {
        ok = nids_init();
    }
    session.in_loop = 0;
    nids_params.pcap_filter = filter;
    nids_params.pcap_desc = NULL;
    if (!ok) {
        if (!session.abandoned)
            set_error("libnids could not start: %s", nids_errbuf);
        nids_params.dev_addon = session.dev_addon;
        pcap_close(p);
        return 0;
    }
    session.pcap = p;
    if (session.offload)
        jnids_offload_begin(session.offload, dlt, nids_params.filename);
    session.stop = 0;
    session.packets = 0;
    session.last_ts = 0;
    for (int kind = 0; kind < 4; kind++)
        if (listening[kind])
            apply_listen(kind, 1);
    return 1;
}

void jnids_close(void)
{
    if (!session.pcap)
        return;
    pcap_t *p = session.pcap;
    /* nids_exit() frees only the head node of the IP lists, and none of the
     * TCP and UDP ones: take jnids' nodes out first (IP) and after (TCP, UDP,
     * whose handlers must still see NIDS_EXITING), so sessions leak nothing. */
    apply_listen(2, 0);
    apply_listen(3, 0);
    session.stop = 0;
    nids_params.pcap_desc = p;
    session.in_loop = 1;
    if (setjmp(session.out_of_memory)) {
        session.abandoned = 1;
    } else {
        nids_exit();
        apply_listen(0, 0);
        apply_listen(1, 0);
    }
    session.in_loop = 0;
    nids_params.pcap_desc = NULL;
    if (session.offload)
        jnids_offload_end(session.offload);
    /* nids_init() replaced -1 (automatic) by its choice for this link type */
    nids_params.dev_addon = session.dev_addon;
    pcap_close(p);
    session.pcap = NULL;
}

static void packet_handler(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
    session.last_ts = hdr->ts.tv_sec + hdr->ts.tv_usec / 1e6;
    session.packets++;
    session.caplen = hdr->caplen;
    session.packet = data;
    ip_waiting = 0;
    if (session.offload)
        jnids_offload_packet(session.offload, hdr, data);
    nids_pcap_handler(user, (struct pcap_pkthdr *)hdr, (u_char *)data);
    /* The IP callback of a packet with no other event goes alone. */
    if (ip_waiting) {
        ip_waiting = 0;
        if (!session.stop)
            stop_after_upcall(jnids_co_yield(event(JNIDS_EV_IP, JNIDS_KIND_IP, (int)ip_box[JNIDS_PKT_IP_LEN])));
    }
    session.packet = NULL;
}

/* Runs one libpcap loop call with the out-of-memory escape armed. */
static int guarded_dispatch(int cnt, int one)
{
    if (!session.pcap) {
        set_error("%s", "no session is open");
        return JNIDS_ERROR;
    }
    session.stop = 0;
    session.error[0] = 0;
    session.in_loop = 1;
    if (setjmp(session.out_of_memory)) {
        /* libnids' state is inconsistent now: it is never touched again. */
        session.in_loop = 0;
        session.abandoned = 1;
        pcap_close(session.pcap);
        session.pcap = NULL;
        return JNIDS_NO_MEMORY;
    }
    int r;
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
            r = pcap_next_ex(session.pcap, &hdr, &data);
            if (r == 1)
                packet_handler(NULL, hdr, data);
        } else {
            r = pcap_dispatch(session.pcap, cnt, packet_handler, NULL);
            if (r == 0 && pcap_file(session.pcap))
                r = JNIDS_END;
        }
        if (r != PCAP_ERROR_BREAK || session.stop)
            break;
    }
    /* On a file, pcap_next_ex() says PCAP_ERROR_BREAK at the end too. */
    if (one && r == PCAP_ERROR_BREAK && !session.stop && pcap_file(session.pcap))
        r = JNIDS_END;
    session.in_loop = 0;
    if (r == PCAP_ERROR_BREAK)
        return JNIDS_STOPPED;
    if (r == PCAP_ERROR) {
        snprintf(session.error, sizeof session.error, "%s", pcap_geterr(session.pcap));
        return JNIDS_ERROR;
    }
    return r;
}

int jnids_dispatch(int cnt) { return guarded_dispatch(cnt, 0); }
int jnids_next(void) { return guarded_dispatch(1, 1); }

static int coroutine_wanted = 1;

void jnids_set_coroutine(int on) { coroutine_wanted = on; }

int jnids_coroutine_used(void) { return coroutine_wanted && !raw_callbacks && jnids_co_available(); }

static int run_op(int op, int arg)
{
    switch (op) {
    case JNIDS_OP_DISPATCH:
        return jnids_dispatch(arg);
    case JNIDS_OP_NEXT:
        return jnids_next();
    case JNIDS_OP_CLOSE:
        jnids_close();
        return JNIDS_OK;
    default:
        set_error("%s", "unknown operation");
        return JNIDS_ERROR;
    }
}

int64_t jnids_call(int op, int arg)
{
    if (jnids_co_busy()) {
        set_error("%s", "libnids is already running: finish the current call (reply to its events) first");
        return jnids_co_finished(JNIDS_ERROR);
    }
    if (jnids_coroutine_used())
        return jnids_co_start(run_op, op, arg);
    return jnids_co_finished(run_op(op, arg));
}

int64_t jnids_reply(int reply)
{
    if (!jnids_co_busy() || jnids_co_inside()) {
        set_error("%s", "no event is waiting for a reply");
        return jnids_co_finished(JNIDS_ERROR);
    }
    return jnids_co_resume(reply);
}

void jnids_stop(void)
{
    session.stop = 1;
    pcap_t *p = session.pcap;
    if (p)
        pcap_breakloop(p);
}

int jnids_stopped(void) { return session.stop != 0; }

int jnids_getfd(void) { return session.pcap ? pcap_get_selectable_fd(session.pcap) : -1; }

int jnids_stats(int64_t *out3)
{
    struct pcap_stat st;
    if (!session.pcap) {
        set_error("%s", "no session is open");
        return -1;
    }
    if (pcap_stats(session.pcap, &st) < 0) {
        snprintf(session.error, sizeof session.error, "%s", pcap_geterr(session.pcap));
        return -1;
    }
    out3[0] = st.ps_recv;
    out3[1] = st.ps_drop;
    out3[2] = st.ps_ifdrop;
    return 0;
}

double jnids_last_ts(void) { return session.last_ts; }
int64_t jnids_packets(void) { return session.packets; }

int64_t jnids_file_offset(void)
{
    if (!session.pcap || !pcap_file(session.pcap))
        return -1;
    return ftell(pcap_file(session.pcap));
}
