/*
 * The coroutine of jnids_coroutine.h: a private stack and a register switch.
 *
 * glibc's swapcontext() would do, but it saves and restores the signal mask
 * with a system call on every switch, which costs more than the JNI up-call
 * this replaces; the switch below saves only what the x86-64 System V ABI
 * says a callee must preserve. Elsewhere jnids_co_available() is 0 and the
 * native layer keeps using JNI up-calls.
 */
#include "jnids_coroutine.h"

#include <stddef.h>
#include <sys/mman.h>

#if defined(__x86_64__) && defined(__linux__)

#if defined(JNIDS_CO_SLOW_SWITCH)
#include <sanitizer/common_interface_defs.h>
#define JNIDS_CO_ASAN 1
#endif

/* Generous for libpcap and libnids (their deepest path, a pcapng block read
 * or a fragment reassembly under a TCP callback, needs a few KB); pages are
 * only committed when touched. A guard page below it turns an overflow into
 * a fault instead of silent corruption. */
#define CO_STACK_BYTES (1024 * 1024)
#define CO_GUARD_BYTES 4096

/* MXCSR and the x87 control word are left alone: both sides are this
 * library's own C code on one thread, and neither changes them. */
__asm__(".text\n"
        ".globl jnids_co_switch\n"
        ".hidden jnids_co_switch\n"
        ".type jnids_co_switch,@function\n"
        "jnids_co_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    movq %rdx, %rax\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    ret\n"
        ".size jnids_co_switch, .-jnids_co_switch\n");

#ifdef JNIDS_CO_ASAN
/* AddressSanitizer keeps its own idea of the current stack: it is told of
 * every switch, or it reports the other stack's frames as overflows. */
static void arrived_on_coroutine(struct jnids_co *co)
{
    __sanitizer_finish_switch_fiber(co->fake_co, &co->caller_bottom, &co->caller_size);
}

static int64_t to_coroutine(struct jnids_co *co, int64_t pass)
{
    __sanitizer_start_switch_fiber(&co->fake_caller, co->stack + CO_GUARD_BYTES, CO_STACK_BYTES);
    co->inside = 1;
    int64_t r = jnids_co_switch(&co->caller_sp, co->co_sp, pass);
    __sanitizer_finish_switch_fiber(co->fake_caller, NULL, NULL);
    return r;
}

static int64_t to_caller(struct jnids_co *co, int64_t pass)
{
    __sanitizer_start_switch_fiber(&co->fake_co, co->caller_bottom, co->caller_size);
    co->inside = 0;
    int64_t r = jnids_co_switch(&co->co_sp, co->caller_sp, pass);
    arrived_on_coroutine(co);
    return r;
}

int64_t jnids_co_resume(struct jnids_co *co, int reply) { return to_coroutine(co, reply); }
int jnids_co_yield(struct jnids_co *co, int64_t event) { return (int)to_caller(co, event); }
#else
static void arrived_on_coroutine(struct jnids_co *co) { (void)co; }
static int64_t to_coroutine(struct jnids_co *co, int64_t pass) { return jnids_co_resume(co, (int)pass); }
static int64_t to_caller(struct jnids_co *co, int64_t pass) { return jnids_co_yield(co, pass); }
#endif

/* The coroutine a fresh stack belongs to, for its first entry into co_main:
 * the switch passes no argument to a function it "returns" into. */
static __thread struct jnids_co *starting;

/* A coroutine's bottom frame: runs one call per switch in, forever. */
static void co_main(void)
{
    struct jnids_co *co = starting;
    starting = NULL;
    arrived_on_coroutine(co);
    for (;;) {
        int result = co->body(co->ctx, co->op, co->arg);
        co->busy = 0;
        to_caller(co, jnids_co_finished(result));
    }
}

/* Lays out a fresh stack as jnids_co_switch() leaves a suspended one: six
 * saved registers, then co_main as the return address, then a null return
 * address for co_main itself, so that stack unwinders stop there. */
static void prepare_stack(struct jnids_co *co)
{
    uintptr_t top = (uintptr_t)(co->stack + CO_GUARD_BYTES + CO_STACK_BYTES) & ~(uintptr_t)15;
    void **sp = (void **)top;
    *--sp = NULL;                 /* co_main's return address: it never returns */
    *--sp = (void *)co_main;      /* where the first switch "returns" to */
    for (int i = 0; i < 6; i++)
        *--sp = NULL;             /* rbp rbx r12 r13 r14 r15 */
    co->co_sp = sp;
}

size_t jnids_co_reserved_bytes(void) { return CO_GUARD_BYTES + CO_STACK_BYTES; }

int jnids_co_available(struct jnids_co *co)
{
    if (co->stack)
        return 1;
    if (co->failed)
        return 0;
    void *m = mmap(NULL, CO_GUARD_BYTES + CO_STACK_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (m == MAP_FAILED || mprotect(m, CO_GUARD_BYTES, PROT_NONE) != 0) {
        if (m != MAP_FAILED)
            munmap(m, CO_GUARD_BYTES + CO_STACK_BYTES);
        co->failed = 1;
        return 0;
    }
    co->stack = m;
    co->co_sp = NULL;
    return 1;
}

void jnids_co_release(struct jnids_co *co)
{
    if (co->stack && !co->busy) {
        munmap(co->stack, CO_GUARD_BYTES + CO_STACK_BYTES);
        co->stack = NULL;
        co->co_sp = NULL;
    }
}

/* Callers check jnids_co_busy() first; this check only keeps a misuse from
 * switching into the coroutine in the wrong state. */
int64_t jnids_co_start(struct jnids_co *co, jnids_co_body body, void *ctx, int op, int arg)
{
    if (co->busy || co->inside || !jnids_co_available(co))
        return jnids_co_finished(-1);
    co->body = body;
    co->ctx = ctx;
    co->op = op;
    co->arg = arg;
    co->busy = 1;
    if (!co->co_sp) {
        prepare_stack(co);
        starting = co;
    }
    return to_coroutine(co, 0);
}

#else /* no switch for this platform: callers use up-calls */

int jnids_co_available(struct jnids_co *co) { (void)co; return 0; }
void jnids_co_release(struct jnids_co *co) { (void)co; }
size_t jnids_co_reserved_bytes(void) { return 0; }
int64_t jnids_co_start(struct jnids_co *co, jnids_co_body body, void *ctx, int op, int arg)
{
    (void)co;
    return jnids_co_finished(body(ctx, op, arg));
}
int64_t jnids_co_switch(void **save, void *to, int64_t pass) { (void)save; (void)to; return pass; }
int64_t jnids_co_resume(struct jnids_co *co, int reply) { (void)co; (void)reply; return jnids_co_finished(-1); }
int jnids_co_yield(struct jnids_co *co, int64_t event) { (void)co; (void)event; return 0; }

#endif
