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
