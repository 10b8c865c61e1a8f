package io.github.jnids;

import java.util.List;

/**
 * What jnids' checksum-offload detection found in a capture (parameter
 * {@code checksums}, see {@link Nids#checksumReport()}).
 *
 * <p>A capture taken on a host that sent some of its packets usually holds
 * those packets with wrong TCP/UDP checksums (and, from Windows, IP header
 * checksums of 0): the network card was to fill them in after the capture
 * point (over IPv6 as over IPv4). libnids drops packets with wrong checksums, so their streams are
 * lost. In mode {@code "auto"} jnids keeps them: a packet whose wrong checksum
 * field holds the sum of its pseudo header (what an offloading stack leaves
 * for the card) is kept, and so is every packet of a sender when at least
 * 75% of its first packets (8 or more, of up to 64 examined) had wrong
 * checksums. Other packets with wrong checksums are still dropped.
 *
 * <pre>{@code
 * Nids.param("filename", "taken-on-this-host.pcap");
 * Nids.param("checksums", "auto");
 * Nids.init();
 * Nids.run();
 * ChecksumReport r = Nids.checksumReport();
 * System.out.println(r.offloaded() + " packets with offloaded checksums, from " + r.senders());
 * }</pre>
 *
 * @param mode       the mode of the session: {@code "on"}, {@code "auto"} or {@code "off"}
 * @param packets    TCP and UDP datagrams seen (not counting IP fragments)
 * @param tcpPackets IP packets carrying TCP (IPv4 fragments included)
 * @param offloaded  packets whose wrong checksums show offloading: kept unverified in mode
 *                   {@code "auto"}, dropped by libnids in mode {@code "on"}; 0 in mode {@code "off"}
 * @param signature  how many of them carried the pseudo-header sum in their checksum field
 * @param senders    the senders of those packets, and the senders exempted whole, most
 *                   offloaded packets first
 */
public record ChecksumReport(String mode, long packets, long tcpPackets, long offloaded, long signature,
        List<Sender> senders) {

    /**
     * One sender's figures.
     *
     * @param address   its IPv4 or IPv6 address (as in {@link Tuple4})
     * @param packets   its TCP and UDP datagrams
     * @param offloaded of which showing offloading
     * @param examined  how many of its first ones were examined for the share rule
     * @param bad       of which had a wrong checksum
     * @param exempt    whether the share rule exempted all its packets (in mode {@code "on"}:
     *                  would have)
     */
    public record Sender(String address, long packets, long offloaded, int examined, int bad, boolean exempt) { }

    /** Whether any packet showed offloading. */
    public boolean offloadFound() {
        return offloaded > 0 || senders.stream().anyMatch(Sender::exempt);
    }
}
