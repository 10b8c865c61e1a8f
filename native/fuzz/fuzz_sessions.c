/*
 * libFuzzer harness for independent sessions: two jnids sessions, each with
 * its own capture and flags, advanced alternately on one thread, as a Java
 * program does with a.next(); b.next(); ... on two NidsSession objects.
 *
 * Input: byte 0 flags of session A, byte 1 flags of B (FS_* as in
 * fuzz_session.c), byte 2 the schedule, bytes 3-4 the length of A's capture
 * (little endian, cut to what is there), then A's capture, then B's.
 *
 * A "step" is one jnids_call() or one jnids_reply() on one session. Bit k%8 of
 * the schedule (xor 0x55, so that 0 means strict alternation) says whether
 * step k goes to A or to B; a session that has finished leaves the steps to
 * the other. On the coroutine a step returns one event, so B runs (packets,
 * events, even its close) while A's libnids is suspended inside a callback,
 * and A's event is answered only afterwards.
 *
 * Checked for every session:
 *  - up-calls (FS_UPCALLS) carry the session's own id and arrive only while
 *    that session is being stepped;
 *  - the boxes of a suspended session do not change while the other runs
 *    (snapshot at the event, compared at the reply);
 *  - TCP events name only streams the session itself opened (JUST_EST) and
 *    has not closed, never a stream open in the other session;
 *  - a differential oracle: what each session saw (events by kind, bytes
 *    delivered per half, a sum of hashes of every byte read, outcomes) equals
 *    what a fresh session sees on the same capture and flags run alone.
 * A violation is a __builtin_trap(), which libFuzzer reports as a crash.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "jnids.h"
#include "fuzz_session_flags.h"


#define MAX_LIVE 4096
#define MAX_CALLS 100000

/* Everything the oracle compares: order-independent sums, because the order
 * in which libnids ends streams at exit follows its (randomly keyed) hash. */
struct digest {
    uint64_t events[8];
    uint64_t tcp_new[2];
    uint64_t udp_bytes, ip_bytes;
    uint64_t hash;
    uint64_t outcomes[8];
};

enum phase { RUNNING, CLOSING, DONE };

struct ctx {
    int id;
    jnids_session *s;
    unsigned flags;
    long events;
    enum phase phase;
    int in_call;        /* a jnids_call() is under way: the next step replies */
    int64_t event;      /* the event waiting for its reply */
    int calls;
    int64_t snap[JNIDS_TCP_BOX_SLOTS + 4 * JNIDS_PKT_BOX_SLOTS];
    int64_t live[MAX_LIVE];
    int nlive;
    struct digest d;
    struct digest d_run; /* d when the close began */
};

static struct ctx *current;       /* the session being stepped */
static struct ctx *ctxs[2];       /* both, for the cross-session checks */

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz_sessions: %s:%d: %s\n", \
        __FILE__, __LINE__, #c); __builtin_trap(); } } while (0)

static uint64_t hash_bytes(int64_t address, int64_t n)
{
    const unsigned char *b = (const unsigned char *)(intptr_t)address;
    uint64_t h = 1469598103934665603ull;
    for (int64_t i = 0; b && i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h ^ (uint64_t)n;
}

static int stop_now(struct ctx *c)
{
    return (c->flags & FS_STOP) && ++c->events % 7 == 0;
}

static int live_find(struct ctx *c, int64_t stream)
{
    for (int i = 0; i < c->nlive; i++)
        if (c->live[i] == stream)
            return i;
    return -1;
}

static void snapshot(struct ctx *c, int64_t *out)
{
    memcpy(out, jnids_tcp_box(c->s), JNIDS_TCP_BOX_SLOTS * 8);
    out += JNIDS_TCP_BOX_SLOTS;
    int64_t *boxes[4] = { jnids_udp_box(c->s), jnids_ip_box(c->s),
                          jnids_warning_box(c->s), jnids_filter_box(c->s) };
    for (int i = 0; i < 4; i++, out += JNIDS_PKT_BOX_SLOTS)
        memcpy(out, boxes[i], JNIDS_PKT_BOX_SLOTS * 8);
}

static void read_half(struct ctx *c, int64_t *h, int which)
{
    c->d.hash += hash_bytes(h[JNIDS_HALF_DATA], h[JNIDS_HALF_COUNT] - h[JNIDS_HALF_OFFSET]);
    c->d.hash += (uint64_t)h[JNIDS_HALF_URGDATA] * 31 + (uint64_t)h[JNIDS_HALF_COUNT] * 7;
    c->d.tcp_new[which] += (uint64_t)h[JNIDS_HALF_COUNT_NEW];
    /* the gap counters take part in the digest two sessions must agree on */
    if (!FS_GAPS_CONSISTENT(h, FS_GAPS_SKIP(c->flags)))
        __builtin_trap();
    c->d.hash += (uint64_t)h[JNIDS_HALF_GAP_BEFORE] * 131 + (uint64_t)h[JNIDS_HALF_MISSING] * 17;
}

static int tcp_event(struct ctx *c, int state)
{
    int64_t *b = jnids_tcp_box(c->s);
    int64_t *cl = b + JNIDS_TCP_CLIENT, *sv = b + JNIDS_TCP_SERVER;
    int64_t stream = b[JNIDS_TCP_STREAM];
    struct ctx *other = ctxs[c == ctxs[0]];
    CHECK(b[JNIDS_TCP_STATE] == state);
    /* After a stop, the rest of a packet's callbacks are dropped, ends of
     * streams included: a stopping session's set of open streams is not
     * exact, so it is neither checked nor checked against. */
    int exact = !(c->flags & FS_STOP);
    if (other && other->s && !(other->flags & FS_STOP))
        CHECK(live_find(other, stream) < 0);
    c->d.hash += (uint64_t)b[JNIDS_TCP_SADDR] * 3 + (uint64_t)b[JNIDS_TCP_DADDR] * 5 +
                 (uint64_t)b[JNIDS_TCP_SPORT] * 7 + (uint64_t)b[JNIDS_TCP_DPORT] * 11 + state;
    switch (state) {
    case NIDS_JUST_EST:
        CHECK(live_find(c, stream) < 0);
        CHECK(c->nlive < MAX_LIVE);
        if (exact)
            c->live[c->nlive++] = stream;
        cl[JNIDS_HALF_COLLECT]++;
        sv[JNIDS_HALF_COLLECT]++;
        cl[JNIDS_HALF_COLLECT_URG]++;
        sv[JNIDS_HALF_COLLECT_URG]++;
        b[JNIDS_TCP_PARAM] = 1 + (b[JNIDS_TCP_SPORT] & 0xffff);
        break;
    case NIDS_DATA:
        CHECK(!exact || live_find(c, stream) >= 0);
        CHECK(b[JNIDS_TCP_PARAM] == 1 + (b[JNIDS_TCP_SPORT] & 0xffff));
        read_half(c, cl, 0);
        read_half(c, sv, 1);
        if (c->flags & FS_DISCARD) {
            int64_t *h = cl[JNIDS_HALF_COUNT_NEW] ? cl : sv;
            b[JNIDS_TCP_DISCARD] = h[JNIDS_HALF_COUNT_NEW] / 2;
        }
        if ((c->flags & FS_UNCOLLECT) && cl[JNIDS_HALF_COUNT] > 64 && cl[JNIDS_HALF_COLLECT] > 0) {
            cl[JNIDS_HALF_COLLECT]--;
            cl[JNIDS_HALF_COLLECT_URG]--;
        }
        break;
    default: { /* close, reset, timeout, exiting: the stream ends */
        int i = live_find(c, stream);
        CHECK(!exact || i >= 0);
        if (i >= 0)
            c->live[i] = c->live[--c->nlive];
        read_half(c, cl, 0);
        read_half(c, sv, 1);
        break;
    }
    }
    return stop_now(c);
}

static int udp_event(struct ctx *c, int len)
{
    int64_t *b = jnids_udp_box(c->s);
    c->d.hash += hash_bytes(b[JNIDS_PKT_PAYLOAD_ADDR], len) + hash_bytes(b[JNIDS_PKT_IP_ADDR], b[JNIDS_PKT_IP_LEN]);
    c->d.udp_bytes += (uint64_t)len;
    return stop_now(c);
}

static int ip_event(struct ctx *c, int kind, int len)
{
    c->d.hash += hash_bytes(jnids_ip_box(c->s)[JNIDS_PKT_IP_ADDR], len) * (uint64_t)(kind + 1);
    c->d.ip_bytes += (uint64_t)len;
    return stop_now(c);
}

static int warning_event(struct ctx *c, int type, int errnum)
{
    int64_t *b = jnids_warning_box(c->s);
    c->d.hash += (uint64_t)b[JNIDS_PKT_SADDR] + (uint64_t)b[JNIDS_PKT_SPORT] * 3 + (uint64_t)type * 5 +
                 (uint64_t)errnum * 7;
    c->d.hash += hash_bytes((int64_t)(intptr_t)jnids_stage(c->s, 4), 3 * 8 * b[JNIDS_PKT_SCAN_COUNT]);
    return stop_now(c);
}

static int filter_event(struct ctx *c, int len)
{
    int64_t *b = jnids_filter_box(c->s);
    c->d.hash += hash_bytes(b[JNIDS_PKT_IP_ADDR], len);
    return (b[JNIDS_PKT_IP_LEN] & 15) != 3;
}

/* The up-calls: only the session being stepped may call, with its own id. */
static struct ctx *caller(int id)
{
    CHECK(current && current->id == id);
    CHECK(current->flags & FS_UPCALLS);
    return current;
}
static int up_tcp(int id, int state) { struct ctx *c = caller(id); c->d.events[1]++; return tcp_event(c, state); }
static int up_udp(int id, int len) { struct ctx *c = caller(id); c->d.events[2]++; return udp_event(c, len); }
static int up_ip(int id, int kind, int len) { struct ctx *c = caller(id); c->d.events[3]++; return ip_event(c, kind, len); }
static int up_warning(int id, int type, int errnum) { struct ctx *c = caller(id); c->d.events[4]++; return warning_event(c, type, errnum); }
static int up_filter(int id, int len) { struct ctx *c = caller(id); c->d.events[5]++; return filter_event(c, len); }

/* What NativeLoop.deliver() does with an event of the coroutine. */
static int answer(struct ctx *c, int64_t event)
{
    int kind = (int)(event & JNIDS_EV_KIND_MASK);
    int detail = (int)((event >> JNIDS_EV_DETAIL_SHIFT) & JNIDS_EV_DETAIL_MASK);
    int arg = (int)(event >> JNIDS_EV_ARG_SHIFT);
    if (kind & JNIDS_EV_IP_FIRST) {
        kind &= ~JNIDS_EV_IP_FIRST;
        c->d.events[3]++;
        if (ip_event(c, JNIDS_KIND_IP, (int)jnids_ip_box(c->s)[JNIDS_PKT_IP_LEN]))
            return kind == JNIDS_EV_FILTER ? -1 : 1;
    }
    CHECK(kind > 0 && kind < 8);
    c->d.events[kind]++;
    switch (kind) {
    case JNIDS_EV_TCP: return tcp_event(c, arg);
    case JNIDS_EV_UDP: return udp_event(c, arg);
    case JNIDS_EV_IP: return ip_event(c, detail, arg);
    case JNIDS_EV_WARNING: return warning_event(c, detail, arg);
    case JNIDS_EV_FILTER: return filter_event(c, arg);
    default: __builtin_trap();
    }
}

static int open_session(struct ctx *c, int id, unsigned flags, const char *path)
{
    memset(c, 0, sizeof *c);
    c->id = id;
    c->flags = flags;
    c->phase = DONE;
    c->s = jnids_session_new(id);
    if (!c->s)
        return 0;
    struct nids_prm *prm = jnids_params(c->s);
    jnids_set_string_param(c->s, 1, path);
    prm->n_tcp_streams = flags & FS_SMALL ? 4 : 1040;
    prm->n_hosts = flags & FS_SMALL ? 2 : 256;
    prm->tcp_workarounds = (flags & FS_SMALL) != 0;
    prm->tcp_gaps = FS_GAPS_SKIP(flags);
    prm->tcp_gap_queue_limit = FS_GAP_LIMIT(flags);
    prm->tcp_midstream = (flags & FS_ONE) != 0;
    jnids_set_zero_copy(c->s, !(flags & FS_NO_ZERO_COPY));
    jnids_set_coroutine(c->s, !(flags & FS_UPCALLS));
    for (int kind = 0; kind < 4; kind++)
        jnids_listen(c->s, kind, 1);
    jnids_listen(c->s, 4, (flags & FS_FILTER) != 0);
    if (!jnids_open(c->s)) {
        jnids_session_free(c->s);
        c->s = NULL;
        return 0;
    }
    c->phase = RUNNING;
    return 1;
}

/* One step of c: a call, or the reply to the event it is suspended in. */
static void step(struct ctx *c)
{
    struct ctx *was = current;
    current = c;
    int64_t event;
    if (c->in_call) {
        int64_t now[sizeof c->snap / 8];
        snapshot(c, now);
        CHECK(memcmp(now, c->snap, sizeof now) == 0);
        event = jnids_reply(c->s, answer(c, c->event));
    } else {
        int op = c->phase == CLOSING ? JNIDS_OP_CLOSE : c->flags & FS_ONE ? JNIDS_OP_NEXT : JNIDS_OP_DISPATCH;
        event = jnids_call(c->s, op, c->phase == CLOSING ? 0 : -1);
        c->in_call = 1;
        c->calls++;
    }
    current = was;
    if ((event & JNIDS_EV_KIND_MASK) != JNIDS_EV_FINISHED) {
        CHECK(!(c->flags & FS_UPCALLS));
        c->event = event;
        snapshot(c, c->snap);
        return;
    }
    c->in_call = 0;
    int r = (int)(event >> 32);
    CHECK(r >= -7); /* an outcome code, or a packet count */
    c->d.outcomes[r > 0 ? 0 : -r]++;
    if (c->phase == CLOSING) {
        if (c->nlive)
            fprintf(stderr, "session %d flags %x: %d streams left open\n", c->id, c->flags, c->nlive);
        CHECK(c->nlive == 0);
        c->phase = DONE;
    } else if (r == JNIDS_END || r == JNIDS_ERROR || r == JNIDS_NO_MEMORY || c->calls >= MAX_CALLS) {
        c->phase = CLOSING;
        c->d_run = c->d;
    }
}

static int writefile(int fd, const uint8_t *data, size_t n)
{
    return ftruncate(fd, 0) == 0 && pwrite(fd, data, n, 0) == (ssize_t)n;
}

/* Prints where two digests differ, before the trap. */
static int same(const struct digest *x, const struct digest *y, int id)
{
    const uint64_t *p = (const uint64_t *)x, *q = (const uint64_t *)y;
    int ok = 1;
    for (size_t i = 0; i < sizeof *x / 8; i++)
        if (p[i] != q[i]) {
            fprintf(stderr, "session %d: digest word %zu: alone %llu, interleaved %llu\n", id, i,
                    (unsigned long long)p[i], (unsigned long long)q[i]);
            ok = 0;
        }
    return ok;
}

/* libnids ends the streams still open at exit in its hash's order, which
 * is random, so a session that stops every 7th event (and drops the rest of
 * that call's callbacks) sees a different set of them at each run: for those
 * only what came before the close is compared. */
static int oracle(const struct ctx *alone, const struct ctx *c)
{
    if (c->flags & FS_STOP)
        return same(&alone->d_run, &c->d_run, c->id);
    return same(&alone->d, &c->d, c->id);
}

/* The same capture and flags in a fresh session of its own. */
static void run_alone(struct ctx *c, int id, unsigned flags, const char *path)
{
    struct ctx *saved[2] = { ctxs[0], ctxs[1] };
    ctxs[0] = c;
    ctxs[1] = NULL;
    if (open_session(c, id, flags, path))
        while (c->phase != DONE)
            step(c);
    if (c->s)
        jnids_session_free(c->s);
    c->s = NULL;
    ctxs[0] = saved[0];
    ctxs[1] = saved[1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd[2] = { -1, -1 };
    static char path[2][64];
    static struct ctx a, b, alone;
    if (size < 5)
        return 0;
    if (fd[0] < 0) {
        for (int i = 0; i < 2; i++) {
            fd[i] = memfd_create(i ? "capture-b" : "capture-a", 0);
            if (fd[i] < 0)
                return 0;
            snprintf(path[i], sizeof path[i], "/proc/self/fd/%d", fd[i]);
        }
        jnids_set_upcalls(up_tcp, up_udp, up_ip, up_warning, up_filter);
    }
    unsigned fa = data[0], fb = data[1], sched = data[2] ^ 0x55;
    size_t la = data[3] | (size_t)data[4] << 8;
    data += 5;
    size -= 5;
    if (la > size)
        la = size;
    if (!writefile(fd[0], data, la) || !writefile(fd[1], data + la, size - la))
        return 0;

    ctxs[0] = &a;
    ctxs[1] = &b;
    open_session(&a, 1, fa, path[0]);
    open_session(&b, 2, fb, path[1]);
    if (a.s && b.s)
        CHECK(jnids_tcp_box(a.s) != jnids_tcp_box(b.s) && jnids_stage(a.s, 0) != jnids_stage(b.s, 0));
    for (unsigned k = 0; a.phase != DONE || b.phase != DONE; k++) {
        struct ctx *c = (sched >> (k % 8)) & 1 ? &b : &a;
        if (c->phase == DONE)
            c = c == &a ? &b : &a;
        step(c);
    }
    if (a.s)
        jnids_session_free(a.s);
    if (b.s)
        jnids_session_free(b.s);
    a.s = b.s = NULL;
    ctxs[0] = ctxs[1] = NULL;

    /* The oracle: each capture alone, in a fresh session. */
    run_alone(&alone, 3, fa, path[0]);
    CHECK(oracle(&alone, &a));
    run_alone(&alone, 4, fb, path[1]);
    CHECK(oracle(&alone, &b));
    return 0;
}
