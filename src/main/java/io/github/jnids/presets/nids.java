package io.github.jnids.presets;

import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;
import org.bytedeco.javacpp.tools.Info;
import org.bytedeco.javacpp.tools.InfoMap;
import org.bytedeco.javacpp.tools.InfoMapper;

/**
 * JavaCPP presets for libnids and jnids' native layer. The Parser reads these
 * headers and generates {@code io.github.jnids.global.nids}, the raw bindings;
 * the Builder links libnids, libpcap and the project's helpers statically into
 * one JNI library.
 */
@Properties(
    target = "io.github.jnids.global.nids",
    global = "io.github.jnids.global.nids",
    value = @Platform(
        value = "linux-x86_64",
        include = {"nids.h", "jnids.h", "jnids_buffers.h", "jnids_offload.h", "jnids_stream.h"},
        // JavaCPP passes these to the linker in reverse order.
        link = {"pcap", "nids", "jnidshelpers"}))
public class nids implements InfoMapper {
    @Override
    public void map(InfoMap infoMap) {
        infoMap
            .put(new Info("u_char").cast().valueTypes("byte").pointerTypes("BytePointer"))
            .put(new Info("u_short").cast().valueTypes("short").pointerTypes("ShortPointer"))
            .put(new Info("u_int").cast().valueTypes("int").pointerTypes("IntPointer"))
            .put(new Info("pcap_t", "struct ip", "ip", "struct pcap_pkthdr", "pcap_pkthdr",
                    "lurker_node", "skbuff", "tcp_timeout", "struct timeval")
                .cast().pointerTypes("Pointer"))
            // nids.h declares these without prototypes; jnids.h has typed versions.
            .put(new Info("nids_register_tcp", "nids_unregister_tcp", "nids_register_udp",
                    "nids_unregister_udp", "nids_register_ip", "nids_unregister_ip",
                    "nids_register_ip_frag", "nids_unregister_ip_frag",
                    "nids_prm::syslog", "nids_prm::no_mem", "nids_prm::ip_filter").skip())
            // Built without libnet, libnids' own killer abort()s: never bind it.
            .put(new Info("nids_killtcp").skip())
            .put(new Info("nids_tcp_timeouts", "tcp_timeout").skip())
            .put(new Info("NIDS_MAJOR", "NIDS_MINOR").define())
            // C code throws no C++ exceptions: without a handler to set up, the
            // JNI function of the per-callback down-call is a bare tail call.
            // The per-event down-calls take the session as its address: a
            // Pointer argument would cost a JNI field read per call.
            .put(new Info("jnids_call").javaText(
                "@NoException(true) public static native @Cast(\"int64_t\") long jnids_call("
                + "@Cast(\"jnids_session*\") long s, int op, int arg);"))
            // The JNIEnv* and the buffer object pass through as they are.
            .put(new Info("jnids_buffer_point").javaText(
                "@NoException(true) public static native int jnids_buffer_point("
                    + "@Raw(withEnv = true) java.nio.ByteBuffer buffer, @Cast(\"jlong\") long address, @Cast(\"jint\") int capacity);"))
            // The event loop's down-calls: the views pass through as JNI
            // references (NULL for null), the session as its address.
            .put(new Info("jnids_event_call").javaText(
                "@NoException(true) public static native @Cast(\"int64_t\") long jnids_event_call("
                    + "@Raw(withEnv = true) java.nio.ByteBuffer udp_payload, @Raw java.nio.ByteBuffer udp_datagram, "
                    + "@Raw java.nio.ByteBuffer ip, @Raw java.nio.ByteBuffer filtered, "
                    + "@Cast(\"jnids_session*\") long s, int op, int arg);"))
            .put(new Info("jnids_event_reply").javaText(
                "@NoException(true) public static native @Cast(\"int64_t\") long jnids_event_reply("
                    + "@Raw(withEnv = true) java.nio.ByteBuffer udp_payload, @Raw java.nio.ByteBuffer udp_datagram, "
                    + "@Raw java.nio.ByteBuffer ip, @Raw java.nio.ByteBuffer filtered, "
                    + "@Cast(\"jnids_session*\") long s, int reply, @Cast(\"int64_t\") long answered);"))
            .put(new Info("jnids_reply").javaText(
                "@NoException(true) public static native @Cast(\"int64_t\") long jnids_reply("
                + "@Cast(\"jnids_session*\") long s, int reply);"));
    }
}
