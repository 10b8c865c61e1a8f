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

#ifdef __cplusplus
}
#endif

#endif
