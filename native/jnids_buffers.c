/* Re-pointing direct ByteBuffers: see jnids_buffers.h. */
#include "jnids_buffers.h"

/*
 * The field IDs of java.nio.Buffer.address and .capacity. Field IDs are
 * constants of the running JVM (valid while the class is loaded, and
 * java.nio.Buffer never unloads), so they are looked up once per process.
 * The capacity ID is published last, with release order: a thread that sees
 * it set also sees the address ID.
 */
static jfieldID address_field;
static jfieldID capacity_field;

static int look_up_fields(JNIEnv *env)
{
    jclass buffer_class = (*env)->FindClass(env, "java/nio/Buffer");
    if (buffer_class == NULL) return -1;
    jfieldID address = (*env)->GetFieldID(env, buffer_class, "address", "J");
    jfieldID capacity = address != NULL ? (*env)->GetFieldID(env, buffer_class, "capacity", "I") : NULL;
    (*env)->DeleteLocalRef(env, buffer_class);
    if (capacity == NULL) return -1;
    __atomic_store_n(&address_field, address, __ATOMIC_RELAXED);
    __atomic_store_n(&capacity_field, capacity, __ATOMIC_RELEASE);
    return 0;
}

int jnids_buffer_point(JNIEnv *env, jclass caller, jobject buffer, jlong address, jint capacity)
{
    jfieldID capacity_id = __atomic_load_n(&capacity_field, __ATOMIC_ACQUIRE);
    if (capacity_id == NULL) {
        if (look_up_fields(env) != 0) return -1;
        capacity_id = capacity_field;
    }
    (*env)->SetLongField(env, buffer, address_field, address);
    (*env)->SetIntField(env, buffer, capacity_id, capacity);
    return 0;
}

/* The view fields are known once jnids_buffer_point() has run, which the Java
 * side's probe does before any session is made; checked all the same. */
static inline void point(JNIEnv *env, jobject view, int64_t address, int64_t length)
{
    jfieldID capacity_id = __atomic_load_n(&capacity_field, __ATOMIC_ACQUIRE);
    if (view == NULL || capacity_id == NULL)
        return;
    (*env)->SetLongField(env, view, address_field, (jlong)address);
    (*env)->SetIntField(env, view, capacity_id, (jint)length);
}

/* Capacity 0 is enough: every access and every limit(n) is bounded by it
 * (the address stays, out of reach). */
static inline void revoke(JNIEnv *env, jobject view)
{
    jfieldID capacity_id = __atomic_load_n(&capacity_field, __ATOMIC_ACQUIRE);
    if (view != NULL && capacity_id != NULL)
        (*env)->SetIntField(env, view, capacity_id, 0);
}

static int kind_of(int64_t event) { return (int)(event & JNIDS_EV_KIND_MASK); }
static int arg_of(int64_t event) { return (int)(event >> JNIDS_EV_ARG_SHIFT); }

static int64_t pointed(JNIEnv *env, jobject udp_payload, jobject udp_datagram, jobject ip, jobject filtered,
                       jnids_session *s, int64_t event)
{
    int kind = kind_of(event);
    if (kind & JNIDS_EV_IP_FIRST) {
        const int64_t *b = jnids_ip_box(s);
        point(env, ip, b[JNIDS_PKT_IP_ADDR], b[JNIDS_PKT_IP_LEN]);
        kind &= ~JNIDS_EV_IP_FIRST;
    }
    switch (kind) {
    case JNIDS_EV_UDP: {
        const int64_t *b = jnids_udp_box(s);
        point(env, udp_payload, b[JNIDS_PKT_PAYLOAD_ADDR], arg_of(event));
        point(env, udp_datagram, b[JNIDS_PKT_IP_ADDR], b[JNIDS_PKT_IP_LEN]);
        break;
    }
    case JNIDS_EV_IP:
        point(env, ip, jnids_ip_box(s)[JNIDS_PKT_IP_ADDR], arg_of(event));
        break;
    case JNIDS_EV_FILTER:
        point(env, filtered, jnids_filter_box(s)[JNIDS_PKT_IP_ADDR], arg_of(event));
        break;
    default:
        break;
    }
    return event;
}

int64_t jnids_event_call(JNIEnv *env, jclass caller, jobject udp_payload, jobject udp_datagram, jobject ip,
                         jobject filtered, jnids_session *s, int op, int arg)
{
    return pointed(env, udp_payload, udp_datagram, ip, filtered, s, jnids_call(s, op, arg));
}

int64_t jnids_event_reply(JNIEnv *env, jclass caller, jobject udp_payload, jobject udp_datagram, jobject ip,
                          jobject filtered, jnids_session *s, int reply, int64_t answered)
{
    int kind = kind_of(answered);
    if (kind & JNIDS_EV_IP_FIRST) {
        revoke(env, ip);
        kind &= ~JNIDS_EV_IP_FIRST;
    }
    switch (kind) {
    case JNIDS_EV_UDP:
        revoke(env, udp_payload);
        revoke(env, udp_datagram);
        break;
    case JNIDS_EV_IP:
        revoke(env, ip);
        break;
    case JNIDS_EV_FILTER:
        revoke(env, filtered);
        break;
    default:
        break;
    }
    return pointed(env, udp_payload, udp_datagram, ip, filtered, s, jnids_reply(s, reply));
}
