/*
 * Input flags of the jnids-session harnesses (fuzz_session.c: byte 0;
 * fuzz_sessions.c: bytes 0 and 1, one per session): how the harness plays
 * the Java side of a session.
 */
#ifndef FUZZ_SESSION_FLAGS_H
#define FUZZ_SESSION_FLAGS_H

enum {
    FS_NO_ZERO_COPY = 1 << 0, /* staging copies instead of the packets' own bytes */
    FS_UPCALLS = 1 << 1,      /* C up-calls instead of the coroutine */
    FS_SMALL = 1 << 2,        /* tiny stream table, tcp_workarounds */
    FS_DISCARD = 1 << 3,      /* keep half of the new data */
    FS_UNCOLLECT = 1 << 4,    /* stop collecting the client half after some data */
    FS_FILTER = 1 << 5,       /* an IP filter that reads the packet */
    FS_STOP = 1 << 6,         /* stop after some events, then go on */
    FS_ONE = 1 << 7           /* one packet per call (jnids_next), and tcp_midstream on (no bit is left) */
};

/* Every bit is taken: tcp_gaps skip is on for flag bytes of odd parity, so
 * that each flag above runs in both gap modes; with FS_SMALL too, a 2 KB
 * tcp_gap_queue_limit gives holes up early. */
#define FS_GAPS_SKIP(flags) (__builtin_parity(flags) ? NIDS_TCP_GAPS_SKIP : NIDS_TCP_GAPS_WAIT)
#define FS_GAP_LIMIT(flags) ((flags) & FS_SMALL ? 2048 : NIDS_TCP_GAP_QUEUE_LIMIT)

/* What the gap fields of a half's box slots must satisfy in either mode. */
#define FS_GAPS_CONSISTENT(h, skip) \
    ((h)[JNIDS_HALF_GAP_BEFORE] >= 0 && (h)[JNIDS_HALF_GAP_BEFORE] <= (h)[JNIDS_HALF_MISSING] && \
     ((h)[JNIDS_HALF_GAPS] > 0) == ((h)[JNIDS_HALF_MISSING] > 0) && \
     ((skip) || (h)[JNIDS_HALF_MISSING] == 0))

#endif
