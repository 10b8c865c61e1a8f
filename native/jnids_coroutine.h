/*
 * Coroutines on which jnids runs libnids, so that libnids' callbacks reach
 * Java by returning from a down-call instead of by a JNI up-call.
 *
 * Why: HotSpot's JNI up-call (CallIntMethodA with its thread-state changes,
 * JavaCallWrapper and exception checks) costs about 100 ns, several times a
 * down-call into a native method. libnids calls its listeners from deep in
 * its own stack; running that stack as a coroutine lets each callback switch
 * back to the Java thread's stack, where the down-call that resumed libnids
 * returns the event to Java, and Java's next down-call switches into libnids
 * again. No Java code ever runs on the coroutine's stack.
 *
 * Each session has its own coroutine (struct jnids_co), used by one thread at
 * a time: the thread that started a call resumes it to its end, and another
 * call may start it later on any thread. Internal to the native layer.
 */
#ifndef JNIDS_COROUTINE_H
#define JNIDS_COROUTINE_H

#include <stddef.h>
#include <stdint.h>

/* AddressSanitizer must be told of every stack switch (jnids_coroutine.c does
 * so out of line); and without a switch for the platform, up-calls are used. */
#if defined(__SANITIZE_ADDRESS__)
#define JNIDS_CO_SLOW_SWITCH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JNIDS_CO_SLOW_SWITCH 1
#endif
#endif
#if !defined(__x86_64__) || !defined(__linux__)
#define JNIDS_CO_SLOW_SWITCH 1
#endif

/* Work run on the coroutine; its result ends the call. */
typedef int (*jnids_co_body)(void *ctx, int op, int arg);

/* One coroutine. Zero-initialised it is valid and owns nothing; its stack is
 * mapped (reserved, committed only as touched) on first use. */
struct jnids_co {
    void *caller_sp;        /* the caller's stack pointer while the coroutine runs */
    void *co_sp;            /* the coroutine's stack pointer while it is suspended */
    int busy;               /* a call is under way */
    int inside;             /* running on the coroutine */
    char *stack;            /* lowest address of the mapping, guard page included */
    int failed;             /* the stack could not be mapped */
    jnids_co_body body;
    void *ctx;
    int op, arg;
    void *fake_caller, *fake_co;        /* AddressSanitizer's fiber bookkeeping */
    const void *caller_bottom;
    size_t caller_size;
};

/* Whether co can be used (its stack is mapped, or could be now). */
int jnids_co_available(struct jnids_co *co);

/* Unmaps co's stack; co must not be busy. */
void jnids_co_release(struct jnids_co *co);

/* Bytes of address space a coroutine's stack reserves. */
size_t jnids_co_reserved_bytes(void);

/* Starts body(ctx, op, arg) on co, which must be available and not busy.
 * Returns the first event it yields, or, when it finishes without yielding,
 * jnids_co_finished(result). */
int64_t jnids_co_start(struct jnids_co *co, jnids_co_body body, void *ctx, int op, int arg);

/* The event word that says the body returned result. Event words otherwise
 * carry a kind (non-zero) in their low byte; this one has kind 0. */
static inline int64_t jnids_co_finished(int result)
{
    return (int64_t)((uint64_t)(uint32_t)result << 32);
}

/* Saves the callee-saved registers and the stack pointer in *save, switches
 * to the stack `to` and returns there, handing `pass` over as the return value
 * of the jnids_co_switch() call that suspended that side. */
int64_t jnids_co_switch(void **save, void *to, int64_t pass) __attribute__((visibility("hidden")));

/* Whether the caller is running on co now. */
static inline int jnids_co_inside(const struct jnids_co *co) { return co->inside; }
/* Whether a call is under way (started and not yet finished). */
static inline int jnids_co_busy(const struct jnids_co *co) { return co->busy; }

#ifdef JNIDS_CO_SLOW_SWITCH
int64_t jnids_co_resume(struct jnids_co *co, int reply);
int jnids_co_yield(struct jnids_co *co, int64_t event);
#else
/* Hands the reply to the pending yield and runs on to the next event. Kept to
 * one tail call into the switch: every frame between the switch and the code
 * it returns to costs a mispredicted return, the stack having changed under
 * the processor's return predictor. */
static inline int64_t jnids_co_resume(struct jnids_co *co, int reply)
{
    co->inside = 1;
    return jnids_co_switch(&co->caller_sp, co->co_sp, reply);
}

/* From the coroutine: hands event to the caller of start/resume and waits for
 * the reply. */
static inline int jnids_co_yield(struct jnids_co *co, int64_t event)
{
    co->inside = 0;
    return (int)jnids_co_switch(&co->co_sp, co->caller_sp, event);
}
#endif

#endif
