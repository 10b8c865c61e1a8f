package io.github.jnids;

/**
 * libpcap's counters for a live capture, as pynids' {@code get_pcap_stats()}.
 *
 * <pre>{@code
 * PcapStats s = Nids.getPcapStats();
 * System.out.println(s.recv() + " received, " + s.drop() + " dropped");
 * }</pre>
 *
 * @param recv   packets received
 * @param drop   packets dropped for lack of buffer space
 * @param ifdrop packets dropped by the interface
 */
public record PcapStats(long recv, long drop, long ifdrop) { }
