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

#endif
