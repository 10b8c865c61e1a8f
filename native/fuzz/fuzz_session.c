/*
 * libFuzzer harness for jnids' own native layer (native/jnids.c and the
 * coroutine): input byte 0 is a set of flags, the rest a capture file that
 * jnids_open() reads by name, as the Java facade does. The loop below plays
 * the Java side: it runs jnids_call(), answers every event through the boxes
 * (collect flags, discard, stop) and reads every byte the boxes point at,
 * then ends the session with JNIDS_OP_CLOSE.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jnids.h"
#include "fuzz_session_flags.h"


static volatile uint64_t sink;
static unsigned flags;
static long events;

static void touch(int64_t address, int64_t n)
{
    const unsigned char *b = (const unsigned char *)(intptr_t)address;
    uint64_t s = 0;
    for (int64_t i = 0; b && i < n; i++)
        s += b[i];
    sink += s;
}

static jnids_session *S;

static int stop_now(void)
{
    return (flags & FS_STOP) && ++events % 7 == 0;
}

static void touch_half(int64_t *h)
{
    if (!FS_GAPS_CONSISTENT(h, FS_GAPS_SKIP(flags)))
        abort();
    touch(h[JNIDS_HALF_DATA], h[JNIDS_HALF_COUNT] - h[JNIDS_HALF_OFFSET]);
    sink += h[JNIDS_HALF_URGDATA];
}

static int on_tcp(int id, int state)
{
    (void)id;
    int64_t *b = jnids_tcp_box(S);
    int64_t *c = b + JNIDS_TCP_CLIENT, *s = b + JNIDS_TCP_SERVER;
    switch (state) {
    case NIDS_JUST_EST:
        c[JNIDS_HALF_COLLECT]++;
        s[JNIDS_HALF_COLLECT]++;
        c[JNIDS_HALF_COLLECT_URG]++;
        s[JNIDS_HALF_COLLECT_URG]++;
        b[JNIDS_TCP_PARAM] = 1 + (b[JNIDS_TCP_STREAM] & 0xffff);
        break;
    case NIDS_DATA:
        touch_half(c);
        touch_half(s);
        if (flags & FS_DISCARD) {
            int64_t *h = c[JNIDS_HALF_COUNT_NEW] ? c : s;
            b[JNIDS_TCP_DISCARD] = h[JNIDS_HALF_COUNT_NEW] / 2;
        }
        if ((flags & FS_UNCOLLECT) && c[JNIDS_HALF_COUNT] > 64 && c[JNIDS_HALF_COLLECT] > 0) {
            c[JNIDS_HALF_COLLECT]--;
            c[JNIDS_HALF_COLLECT_URG]--;
        }
        break;
    default:
        touch_half(c);
        touch_half(s);
        break;
    }
    return stop_now();
}

static int on_udp(int id, int len)
{
    (void)id;
    int64_t *b = jnids_udp_box(S);
    touch(b[JNIDS_PKT_PAYLOAD_ADDR], len);
    touch(b[JNIDS_PKT_IP_ADDR], b[JNIDS_PKT_IP_LEN]);
    return stop_now();
}

static int on_ip(int id, int kind, int len)
{
    (void)id;
    (void)kind;
    touch(jnids_ip_box(S)[JNIDS_PKT_IP_ADDR], len);
    return stop_now();
}

static int on_warning(int id, int type, int errnum)
{
    (void)id;
    int64_t *b = jnids_warning_box(S);
    sink += b[JNIDS_PKT_SADDR] + b[JNIDS_PKT_SPORT] + type + errnum;
    touch((int64_t)(intptr_t)jnids_stage(S, 4), 3 * 8 * b[JNIDS_PKT_SCAN_COUNT]);
    return stop_now();
}

static int on_filter(int id, int len)
{
    (void)id;
    int64_t *b = jnids_filter_box(S);
    touch(b[JNIDS_PKT_IP_ADDR], len);
    return (b[JNIDS_PKT_IP_LEN] & 15) != 3;
}

/* What NativeLoop.deliver() does. */
static int answer(int64_t event)
{
    int kind = (int)(event & JNIDS_EV_KIND_MASK);
    int detail = (int)((event >> JNIDS_EV_DETAIL_SHIFT) & JNIDS_EV_DETAIL_MASK);
    int arg = (int)(event >> JNIDS_EV_ARG_SHIFT);
    if (kind & JNIDS_EV_IP_FIRST) {
        kind &= ~JNIDS_EV_IP_FIRST;
        if (on_ip(0, JNIDS_KIND_IP, (int)jnids_ip_box(S)[JNIDS_PKT_IP_LEN]))
            return kind == JNIDS_EV_FILTER ? -1 : 1;
    }
    switch (kind) {
    case JNIDS_EV_TCP: return on_tcp(0, arg);
    case JNIDS_EV_UDP: return on_udp(0, arg);
    case JNIDS_EV_IP: return on_ip(0, detail, arg);
    case JNIDS_EV_WARNING: return on_warning(0, detail, arg);
    case JNIDS_EV_FILTER: return on_filter(0, arg);
    default: __builtin_trap();
    }
}

static int run(int op, int arg)
{
    int64_t event = jnids_call(S, op, arg);
    while ((event & 0xff) != JNIDS_EV_FINISHED)
        event = jnids_reply(S, answer(event));
    return (int)(event >> 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (size < 2)
        return 0;
    if (fd < 0) {
        fd = memfd_create("capture", 0);
        if (fd < 0)
            return 0;
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        jnids_set_upcalls(on_tcp, on_udp, on_ip, on_warning, on_filter);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
        return 0;
    flags = data[0];
    events = 0;
    S = jnids_session_new(0);
    if (!S)
        return 0;
    struct nids_prm *prm = jnids_params(S);
    jnids_set_string_param(S, 1, path);
    prm->n_tcp_streams = flags & FS_SMALL ? 4 : 1040;
    prm->n_hosts = flags & FS_SMALL ? 2 : 256;
    prm->tcp_workarounds = (flags & FS_SMALL) != 0;
    prm->tcp_gaps = FS_GAPS_SKIP(flags);
    prm->tcp_gap_queue_limit = FS_GAP_LIMIT(flags);
    prm->tcp_midstream = (flags & FS_ONE) != 0;
    jnids_set_zero_copy(S, !(flags & FS_NO_ZERO_COPY));
    jnids_set_coroutine(S, !(flags & FS_UPCALLS));
    for (int kind = 0; kind < 4; kind++)
        jnids_listen(S, kind, 1);
    jnids_listen(S, 4, (flags & FS_FILTER) != 0);
    if (!jnids_open(S)) {
        jnids_session_free(S);
        return 0;
    }
    for (int calls = 0; calls < 100000; calls++) {
        int r = run(flags & FS_ONE ? JNIDS_OP_NEXT : JNIDS_OP_DISPATCH, -1);
        if (r == JNIDS_END || r == JNIDS_ERROR || r == JNIDS_NO_MEMORY)
            break;
    }
    run(JNIDS_OP_CLOSE, 0);
    jnids_session_free(S);
    return 0;
}
