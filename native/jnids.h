/*
 * jnids' native layer: the session around libnids that the Java facade drives,
 * typed callback signatures for the raw bindings, and the mailboxes through
 * which libnids' callbacks reach Java.
 *
 * Why mailboxes: every libnids callback fills a fixed block of native memory
 * (a "box") with the fields a handler may read and then makes one up-call with
 * primitive arguments only. Java reads the box through a direct ByteBuffer
 * mapped once, and writes requests (collect flags, discard, kill) back into it,
 * which this layer applies when the up-call returns. No Java object is made and
 * no JNI call is needed per field.
 *
 * How the callback reaches Java: libnids runs on a coroutine (see
 * jnids_coroutine.h) and each callback is an event returned by the down-call
 * (jnids_call, jnids_reply) that Java made to run libnids on; its reply is the
 * up-call's return value. Where the coroutine cannot be used (other
 * platforms, raw callbacks registered, or turned off) the same boxes are
 * handed over by JNI up-calls instead.
 */
#ifndef JNIDS_H
#define JNIDS_H

#include <stdint.h>
#include <nids.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Typed forms of the callbacks that nids.h declares without prototypes. */
typedef void (*jnids_tcp_callback)(struct tcp_stream *a_tcp, void **param);
typedef void (*jnids_udp_callback)(struct tuple4 *addr, u_char *data, int len, struct ip *iph);
typedef void (*jnids_ip_callback)(struct ip *packet, int len);
typedef void (*jnids_syslog_hook)(int type, int errnum, struct ip *iph, void *data);
typedef void (*jnids_no_mem_hook)(char *where);
typedef int (*jnids_ip_filter_hook)(struct ip *packet, int len);

/* A jnids session: one libnids engine and everything jnids keeps for it. */
typedef struct jnids_session jnids_session;

/* A fresh session, with libnids' default parameters and no capture. id is
 * what the up-calls pass to Java to name it. NULL when memory is short. */
jnids_session *jnids_session_new(int id);
/* Closes the capture without running any handler (no callback of this
 * session is delivered any more), frees the engine and all memory. s must not
 * be inside a call. NULL is ignored. */
void jnids_session_free(jnids_session *s);
/* The session's nids_params: stable until the session is freed. */
struct nids_prm *jnids_params(jnids_session *s);
/* Sets nids_params' device (0), filename (1) or pcap_filter (2) to a copy of
 * value (NULL: unset), owned by the session. Returns 0, or -1 without memory. */
int jnids_set_string_param(jnids_session *s, int which, const char *value);
/* Replaces the checksum rules (nids_register_chksum_ctl) by a copy of n
 * triples (network address, mask, NIDS_DO_CHKSUM or NIDS_DONT_CHKSUM).
 * Returns 0, or -1 without memory. */
int jnids_set_chksum_ctl(jnids_session *s, const int32_t *triples, int n);
/* The same for the IPv6 rules (nids_register_chksum_ctl6): n rules of 33
 * bytes each, 16 of network address, 16 of mask, 1 of action. */
int jnids_set_chksum_ctl6(jnids_session *s, const u_char *rules, int n);
/* Fixed native bytes a session holds once open, measured as its parts:
 * 0 the session record, 1 staging address space (committed as touched),
 * 2 coroutine stack address space (committed as touched), 3 read buffer. */
int64_t jnids_session_bytes(int part);

/* Typed wrappers of libnids' registration functions, for the raw bindings. */
void jnids_raw_register_tcp(jnids_session *s, jnids_tcp_callback f);
void jnids_raw_unregister_tcp(jnids_session *s, jnids_tcp_callback f);
void jnids_raw_register_udp(jnids_session *s, jnids_udp_callback f);
void jnids_raw_unregister_udp(jnids_session *s, jnids_udp_callback f);
void jnids_raw_register_ip(jnids_session *s, jnids_ip_callback f);
void jnids_raw_unregister_ip(jnids_session *s, jnids_ip_callback f);
void jnids_raw_register_ip_frag(jnids_session *s, jnids_ip_callback f);
void jnids_raw_unregister_ip_frag(jnids_session *s, jnids_ip_callback f);

/* Up-calls into Java, shared by all sessions: the first argument is the
 * session's id. Each returns 0 to go on, non-zero to stop the run. */
typedef int (*jnids_tcp_upcall)(int session, int nids_state);
typedef int (*jnids_udp_upcall)(int session, int payload_len);
typedef int (*jnids_ip_upcall)(int session, int kind, int len);
typedef int (*jnids_warning_upcall)(int session, int type, int errnum);
typedef int (*jnids_filter_upcall)(int session, int len);

/* Offsets of a half stream's fields from JNIDS_TCP_CLIENT or JNIDS_TCP_SERVER. */
enum {
    JNIDS_HALF_STATE = 0,
    JNIDS_HALF_COLLECT,     /* Java may rewrite it */
    JNIDS_HALF_COLLECT_URG, /* Java may rewrite it */
    JNIDS_HALF_COUNT,
    JNIDS_HALF_OFFSET,
    JNIDS_HALF_COUNT_NEW,
    JNIDS_HALF_COUNT_NEW_URG,
    JNIDS_HALF_URGDATA,
    JNIDS_HALF_DATA,        /* address of the buffered bytes */
    JNIDS_HALF_BUFSIZE,
    JNIDS_HALF_GAP_BEFORE,  /* tcp_gaps skip: sequence numbers given up right before the new bytes */
    JNIDS_HALF_GAPS,        /* holes given up so far */
    JNIDS_HALF_MISSING,     /* their sequence numbers in all */
    JNIDS_HALF_SLOTS
};

/* Box of a TCP callback: 64-bit slots, indices below. */
enum {
    JNIDS_TCP_STATE = 0,   /* nids_state */
    JNIDS_TCP_SADDR,       /* client address, network byte order as an int */
    JNIDS_TCP_DADDR,
    JNIDS_TCP_SPORT,
    JNIDS_TCP_DPORT,
    JNIDS_TCP_PARAM,       /* the listener's void* param; Java may rewrite it */
    JNIDS_TCP_DISCARD,     /* Java writes n >= 0 to call nids_discard(n) */
    JNIDS_TCP_STREAM,      /* address of the struct tcp_stream */
    JNIDS_TCP_MIDSTREAM,   /* tcp_stream.midstream: NIDS_MIDSTREAM_*, 0 if its handshake was seen */
    JNIDS_TCP_CLIENT,      /* first slot of the client half (JNIDS_HALF_*) */
    JNIDS_TCP_SERVER = JNIDS_TCP_CLIENT + JNIDS_HALF_SLOTS,
    JNIDS_TCP_IPV6 = JNIDS_TCP_SERVER + JNIDS_HALF_SLOTS, /* 1: an IPv6 stream, addresses in the next slots (SADDR, DADDR 0) */
    JNIDS_TCP_SADDR6,      /* client IPv6 address: bytes 0-7 as a big-endian int64, then bytes 8-15 */
    JNIDS_TCP_DADDR6 = JNIDS_TCP_SADDR6 + 2,
    JNIDS_TCP_BOX_SLOTS = JNIDS_TCP_DADDR6 + 2
};

/* Box of a UDP, IP, IP fragment, warning or filter callback. The packet's
 * bytes are either left where libnids has them (zero copy: Java revokes its
 * views when the up-call returns) or copied into the staging buffers. */
enum {
    JNIDS_PKT_SADDR = 0,
    JNIDS_PKT_DADDR,
    JNIDS_PKT_SPORT,
    JNIDS_PKT_DPORT,
    JNIDS_PKT_IP_LEN,       /* bytes in the IP staging buffer */
    JNIDS_PKT_PAYLOAD_LEN,  /* bytes in the payload staging buffer */
    JNIDS_PKT_SCAN_COUNT,   /* scan warnings: probes in the scan staging area */
    JNIDS_PKT_IP_ADDR,      /* where the IP datagram's bytes are (packet or staging buffer) */
    JNIDS_PKT_PAYLOAD_ADDR, /* where the UDP payload's bytes are */
    JNIDS_PKT_IPV6,         /* 1: IPv6 addresses, in the next slots (SADDR, DADDR 0) */
    JNIDS_PKT_SADDR6,       /* bytes 0-7 of the address as a big-endian int64, then bytes 8-15 */
    JNIDS_PKT_DADDR6 = JNIDS_PKT_SADDR6 + 2,
    JNIDS_PKT_BOX_SLOTS = JNIDS_PKT_DADDR6 + 2
};

enum {
    JNIDS_KIND_IP = 1,
    JNIDS_KIND_IP_FRAG = 2,
    /* Room for any packet libpcap hands over (its largest snapshot length,
     * also jnids' for live captures), so that staging never cuts one; the
     * pages are committed only where staging is used at all. */
    JNIDS_STAGE_BYTES = 262144 + 64,
    /* Scan probes are staged as JNIDS_SCAN_SLOTS int64 each: IPv4 address,
     * port, flags, IPv6 address (two slots as JNIDS_PKT_SADDR6; for a scan
     * from an IPv6 source, whose box has JNIDS_PKT_IPV6 1). */
    JNIDS_SCAN_MAX = 4096,
    JNIDS_SCAN_SLOTS = 5,
    /* Capture files are read through a stdio buffer of this size rather
     * than libpcap's default (the file system's block size, 4 KB): a read(2)
     * per 4 KB is a large share of libnids' time on a fast capture, and in a
     * multi-threaded process such as a JVM every read(2) also locks the file
     * position. Larger buffers no longer fit the cache the copies run in. */
    JNIDS_READ_BUFFER_BYTES = 65536
};

/* Events that jnids_call() and jnids_reply() return: the kind in the low 8
 * bits, a detail in the next 24, an argument in the high 32; kind 0 means the
 * call has finished and the high 32 bits are its outcome. The reply to an
 * event is what the matching up-call would return. */
enum {
    JNIDS_EV_KIND_MASK = 0xff,
    JNIDS_EV_DETAIL_SHIFT = 8,
    JNIDS_EV_DETAIL_MASK = 0xffffff,
    JNIDS_EV_ARG_SHIFT = 32
};

enum {
    JNIDS_EV_FINISHED = 0,
    JNIDS_EV_TCP = 1,       /* argument: nids_state */
    JNIDS_EV_UDP = 2,       /* argument: payload length */
    JNIDS_EV_IP = 3,        /* detail: JNIDS_KIND_IP or JNIDS_KIND_IP_FRAG; argument: length */
    JNIDS_EV_WARNING = 4,   /* detail: type; argument: errnum */
    JNIDS_EV_FILTER = 5,    /* argument: length */
    /* Added to a kind: an IP callback (JNIDS_KIND_IP, its length in ip_box)
     * of the same packet comes first; a stop it asks for is the reply. */
    JNIDS_EV_IP_FIRST = 0x80
};

/* Operations for jnids_call(). */
enum {
    JNIDS_OP_DISPATCH = 1,  /* argument: packet count, as jnids_dispatch() */
    JNIDS_OP_NEXT = 2,      /* as jnids_next() */
    JNIDS_OP_CLOSE = 3      /* as jnids_close(); outcome JNIDS_OK */
};

/* Outcome codes of jnids_dispatch() and jnids_next(). */
enum {
    JNIDS_OK = 0,
    JNIDS_END = -3,         /* end of the capture file */
    JNIDS_ERROR = -1,       /* libpcap error; message in jnids_error() */
    JNIDS_STOPPED = -2,     /* stopped by jnids_stop() or an up-call */
    JNIDS_NO_MEMORY = -4    /* libnids ran out of memory; session abandoned */
};

/* What went wrong, for jnids_error_code(): set with the message of every
 * failure of jnids_open() and of the loop calls. */
enum {
    JNIDS_ERR_NONE = 0,
    JNIDS_ERR_MISSING_FILE = 1,     /* no such capture file */
    JNIDS_ERR_FILE_ACCESS = 2,      /* the file exists but cannot be read (permission, directory) */
    JNIDS_ERR_NOT_A_CAPTURE = 3,    /* neither pcap nor pcapng */
    JNIDS_ERR_LINK_TYPE = 4,        /* a link type libnids does not decode */
    JNIDS_ERR_DAMAGED = 5,          /* a capture file that cannot be read further */
    JNIDS_ERR_FILTER = 6,           /* a pcap_filter that does not compile or apply */
    JNIDS_ERR_NO_DEVICE = 7,        /* no such interface, or none at all */
    JNIDS_ERR_PERMISSION = 8,       /* not allowed to capture */
    JNIDS_ERR_NO_MEMORY = 9,        /* libnids or jnids ran out of memory */
    JNIDS_ERR_STATE = 10,           /* the call does not fit the session's state */
    JNIDS_ERR_CAPTURE = 11,         /* any other libpcap or libnids failure */
    JNIDS_ERR_SEND = 12             /* a reset could not be sent */
};

int64_t *jnids_tcp_box(jnids_session *s);
int64_t *jnids_udp_box(jnids_session *s);
int64_t *jnids_ip_box(jnids_session *s);
int64_t *jnids_warning_box(jnids_session *s);
int64_t *jnids_filter_box(jnids_session *s);
u_char *jnids_stage(jnids_session *s, int which);  /* 0: UDP payload, 1: UDP datagram, 2: IP, 3: filter, 4: scan probes */

/* 1: hand Java the packets' own addresses; 0: copy into the staging buffers. */
void jnids_set_zero_copy(jnids_session *s, int on);
/* The up-calls of all sessions; set once, before any session runs. */
void jnids_set_upcalls(jnids_tcp_upcall tcp, jnids_udp_upcall udp, jnids_ip_upcall ip,
                       jnids_warning_upcall warning, jnids_filter_upcall filter);
/* Installs or removes the trampoline of a kind: 0 TCP, 1 UDP, 2 IP, 3 IP fragments, 4 filter. */
void jnids_listen(jnids_session *s, int kind, int on);

/* Opens the capture named by the session's nids_params (file, else live
 * device), applies the BPF filter and initialises libnids on it. Returns 1, or
 * 0 with a message in jnids_error(). */
int jnids_open(jnids_session *s);
/* Ends the session as nids_exit() does and closes the capture. */
void jnids_close(jnids_session *s);
int jnids_is_open(jnids_session *s);
int jnids_linktype(jnids_session *s);
/* Gives the session a checksum-offload detector (jnids_offload.h), which it
 * owns from then on (the previous one is freed), or NULL for libnids' own
 * checks; set while the session is not open. */
struct jnids_offload;
void jnids_set_offload(jnids_session *s, struct jnids_offload *o);
struct jnids_offload *jnids_get_offload(jnids_session *s);

/* Processes up to cnt packets (-1: all available). Returns the number processed,
 * or one of JNIDS_END, JNIDS_ERROR, JNIDS_STOPPED, JNIDS_NO_MEMORY. */
int jnids_dispatch(jnids_session *s, int cnt);
/* Processes one packet: 1, 0 on a live timeout, or an outcome code. */
int jnids_next(jnids_session *s);
/* Runs an operation, on the coroutine when it is used: returns its first event,
 * or its outcome when it finished. While an event is pending, nothing but
 * jnids_reply() (and what a handler may call) may be called. */
int64_t jnids_call(jnids_session *s, int op, int arg);
/* Answers the pending event; returns the next event or the outcome. */
int64_t jnids_reply(jnids_session *s, int reply);
/* 0: deliver callbacks by JNI up-calls even where the coroutine works. */
void jnids_set_coroutine(jnids_session *s, int on);
/* Whether jnids_call() runs libnids on the coroutine now. */
int jnids_coroutine_used(jnids_session *s);
/* Safe from any thread, and from inside a handler; never blocks. */
void jnids_stop(jnids_session *s);
/* Whether the running (or last) loop call was asked to stop; a loop call that
 * processed packets before the stop returns their count, not JNIDS_STOPPED. */
int jnids_stopped(jnids_session *s);
int jnids_getfd(jnids_session *s);
/* Fills recv, drop, ifdrop; returns 0, or -1 with a message in jnids_error(). */
int jnids_stats(jnids_session *s, int64_t *out3);
double jnids_last_ts(jnids_session *s);
int64_t jnids_packets(jnids_session *s);
int64_t jnids_file_offset(jnids_session *s);
const char *jnids_error(jnids_session *s);
/* The JNIDS_ERR_* code of the message in jnids_error(). */
int jnids_error_code(jnids_session *s);

/* Resets a connection both ways with forged RST segments on a raw socket.
 * Returns 0, or -1 with a message in jnids_error(). */
int jnids_kill(jnids_session *s, struct tcp_stream *a_tcp);
/* The same for the stream whose TCP callback is running now. */
int jnids_kill_current(jnids_session *s);

const char *jnids_pcap_version(void);

#ifdef __cplusplus
}
#endif

#endif
