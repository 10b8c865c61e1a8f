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

struct jnids_co_state jnids_co;

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

static struct {
    char *stack;            /* lowest address of the mapping, guard page included */
    int failed;             /* the stack could not be mapped */
    jnids_co_body body;
    int op, arg;
#ifdef JNIDS_CO_ASAN
    void *fake_caller, *fake_co;
    const void *caller_bottom;
    size_t caller_size;
#endif
} co;

#ifdef JNIDS_CO_ASAN
/* AddressSanitizer keeps its own idea of the current stack: it is told of
 * every switch, or it reports the other stack's frames as overflows. */
static void arrived_on_coroutine(void)
{
    __sanitizer_finish_switch_fiber(co.fake_co, &co.caller_bottom, &co.caller_size);
}

static int64_t to_coroutine(int64_t pass)
{
    __sanitizer_start_switch_fiber(&co.fake_caller, co.stack + CO_GUARD_BYTES, CO_STACK_BYTES);
    jnids_co.inside = 1;
    int64_t r = jnids_co_switch(&jnids_co.caller_sp, jnids_co.co_sp, pass);
    __sanitizer_finish_switch_fiber(co.fake_caller, NULL, NULL);
    return r;
}

static int64_t to_caller(int64_t pass)
{
    __sanitizer_start_switch_fiber(&co.fake_co, co.caller_bottom, co.caller_size);
    jnids_co.inside = 0;
    int64_t r = jnids_co_switch(&jnids_co.co_sp, jnids_co.caller_sp, pass);
    arrived_on_coroutine();
    return r;
}

int64_t jnids_co_resume(int reply) { return to_coroutine(reply); }
int jnids_co_yield(int64_t event) { return (int)to_caller(event); }
#else
static void arrived_on_coroutine(void) { }
static int64_t to_coroutine(int64_t pass) { return jnids_co_resume((int)pass); }
static int64_t to_caller(int64_t pass) { return jnids_co_yield(pass); }
#endif

/* The coroutine's bottom frame: runs one call per switch in, forever. */
static void co_main(void)
{
    arrived_on_coroutine();
    for (;;) {
        int result = co.body(co.op, co.arg);
        jnids_co.busy = 0;
        to_caller(jnids_co_finished(result));
    }
}

/* Lays out a fresh stack as jnids_co_switch() leaves a suspended one: six
 * saved registers, then co_main as the return address, then a null return
 * address for co_main itself, so that stack unwinders stop there. */
static void prepare_stack(void)
{
    uintptr_t top = (uintptr_t)(co.stack + CO_GUARD_BYTES + CO_STACK_BYTES) & ~(uintptr_t)15;
    void **sp = (void **)top;
    *--sp = NULL;                 /* co_main's return address: it never returns */
    *--sp = (void *)co_main;      /* where the first switch "returns" to */
    for (int i = 0; i < 6; i++)
        *--sp = NULL;             /* rbp rbx r12 r13 r14 r15 */
    jnids_co.co_sp = sp;
}

int jnids_co_available(void)
{
    if (co.stack)
        return 1;
    if (co.failed)
        return 0;
    void *m = mmap(NULL, CO_GUARD_BYTES + CO_STACK_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (m == MAP_FAILED || mprotect(m, CO_GUARD_BYTES, PROT_NONE) != 0) {
        if (m != MAP_FAILED)
            munmap(m, CO_GUARD_BYTES + CO_STACK_BYTES);
        co.failed = 1;
        return 0;
    }
    co.stack = m;
    prepare_stack();
    return 1;
}

/* Callers check jnids_co_busy() first; this check only keeps a misuse from
 * switching into the coroutine in the wrong state. */
int64_t jnids_co_start(jnids_co_body body, int op, int arg)
{
    if (jnids_co.busy || jnids_co.inside || !jnids_co_available())
        return jnids_co_finished(-1);
    co.body = body;
    co.op = op;
    co.arg = arg;
    jnids_co.busy = 1;
    return to_coroutine(0);
}

#else /* no switch for this platform: callers use up-calls */

int jnids_co_available(void) { return 0; }
int64_t jnids_co_start(jnids_co_body body, int op, int arg) { return jnids_co_finished(body(op, arg)); }
int64_t jnids_co_switch(void **save, void *to, int64_t pass) { (void)save; (void)to; return pass; }
int64_t jnids_co_resume(int reply) { (void)reply; return jnids_co_finished(-1); }
int jnids_co_yield(int64_t event) { (void)event; return 0; }

#endif
