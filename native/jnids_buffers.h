/*
 * Re-pointing a direct ByteBuffer at other native memory.
 *
 * Why: a handler gets libnids' bytes as a read-only direct ByteBuffer. Making
 * a new buffer per callback (JNI NewDirectByteBuffer) allocates an object per
 * callback; instead the Java facade keeps one view per place a buffer is
 * handed out and moves it over the memory of each callback. Java itself has
 * no supported way to change where a direct buffer points; JNI may set any
 * field of any object, so this sets java.nio.Buffer's address and capacity.
 * The Java side resets position and limit (Buffer.clear()) itself, which costs
 * no native call.
 */
#ifndef JNIDS_BUFFERS_H
#define JNIDS_BUFFERS_H

#include <jni.h>

#include "jnids.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Makes the direct buffer `buffer` show `capacity` bytes at `address`
 * (address 0 and capacity 0: nothing). Its limit must not exceed `capacity`
 * on return: the caller sets the limit to 0 first, or clears the buffer
 * afterwards. Returns 0, or -1 when this JDK's java.nio.Buffer lacks the
 * fields (a NoSuchFieldError is then pending, and thrown on return to Java).
 *
 * `caller` is the class of the native method (JavaCPP passes it with the
 * JNIEnv*). `buffer` must be a direct buffer whose memory jnids owns: nothing
 * is checked, as in all of the raw bindings.
 */
int jnids_buffer_point(JNIEnv *env, jclass caller, jobject buffer, jlong address, jint capacity);

/*
 * jnids_call() and jnids_reply() for Java's event loop, which also point the
 * packet views at the packet of the event they return and take them off the
 * packet of the event they answer. Why: a handler's view is pointed and
 * revoked by JNI field writes either way, but done here they cost no JNI
 * transition of their own (a down-call each way was most of an IP or UDP
 * callback's cost).
 *
 * The views (any may be NULL: not pointed) are the read-only direct buffers
 * Java hands to handlers: UDP payload and UDP datagram (udp_box), IP datagram
 * or fragment (ip_box), filtered datagram (filter_box). Each event of kind
 * JNIDS_EV_UDP, JNIDS_EV_IP, JNIDS_EV_FILTER, or with JNIDS_EV_IP_FIRST,
 * returns with its views showing exactly its bytes (address from the box,
 * capacity the length Java would give it; Java then clears the view), the
 * others untouched. Answering an event makes its views' capacity 0 before
 * libnids goes on, so that no view kept by a handler can reach the memory
 * again; Java sets their limits to 0 first. `answered` is the event being
 * answered, as the previous call returned it. Only for sessions in zero copy
 * (jnids_set_zero_copy): staged bytes are shown by fixed views.
 */
int64_t jnids_event_call(JNIEnv *env, jclass caller, jobject udp_payload, jobject udp_datagram, jobject ip,
                         jobject filtered, jnids_session *s, int op, int arg);
int64_t jnids_event_reply(JNIEnv *env, jclass caller, jobject udp_payload, jobject udp_datagram, jobject ip,
                          jobject filtered, jnids_session *s, int reply, int64_t answered);

#ifdef __cplusplus
}
#endif

#endif
