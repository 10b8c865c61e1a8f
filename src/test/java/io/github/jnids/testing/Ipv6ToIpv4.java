package io.github.jnids.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The IPv6 oracle's translator: an IPv6 capture becomes an IPv4 capture,
 * packet by packet, that IPv4-only libnids 1.26 (native/tools/nids_dump) can
 * reassemble, so that what libnids reports for the translation, addresses
 * mapped back, is what an IPv6-capable libnids must report for the original.
 *
 * <p>Rules (every record of the capture gives one record of the translation,
 * with the same timestamp; the packet count never changes):
 * <ul>
 * <li>Addresses: each IPv6 address gets its own IPv4 address, from
 * 198.18.0.1 up (RFC 2544's benchmarking block), in order of first appearance,
 * skipping every IPv4 address the capture's own IPv4 packets use.
 * {@link Translation#toIpv6()} maps them back.</li>
 * <li>Link layers: Ethernet (0x86DD becomes 0x0800, also inside one 802.1Q
 * tag), Linux cooked (protocol field), NULL/loopback (BSD AF_INET6 24, 28 or 30
 * in either byte order becomes AF_INET 2 in the same order), raw IP (101, 12,
 * 14: nothing to change). Link type 229 (LINKTYPE_IPV6) becomes 228
 * (LINKTYPE_IPV4); libnids 1.26 reads neither. Other link types (the 802.11
 * family among them) are copied unchanged: their IPv6 packets stay IPv6, which
 * IPv4 libnids ignores. pcapng input is written as a nanosecond pcap file.
 * IPv4 and non-IP frames are copied unchanged. A frame whose link layer
 * says IPv6 but whose version nibble is 4 is the IPv4 packet it is (the
 * version nibble decides, as on raw links): only its link header is
 * rewritten for IPv4.</li>
 * <li>The IPv6 header becomes a 20-byte IPv4 header: traffic class as TOS,
 * hop limit as TTL, next protocol as the upper layer's (TCP, UDP, ICMPv6 58,
 * anything else as is), no options, a correct header checksum. Extension
 * headers other than the fragment header (hop-by-hop, routing, destination
 * options, AH, and those of IANA's registry with RFC 6564's generic format:
 * mobility 135, HIP 139, shim6 140, the experimental 253 and 254, as RFC 7045
 * asks a node to recognise them) are dropped; ESP and "no next header" are upper layers.</li>
 * <li>TCP and UDP segments are kept byte for byte except their checksum,
 * which is moved from the IPv6 to the IPv4 pseudo-header by the incremental
 * update of RFC 1624: a right one stays right, a wrong one stays wrong by the
 * same amount (this needs neither the length nor the whole of a fragmented
 * datagram: the pseudo-headers differ only in the addresses). The destination
 * in the IPv6 pseudo-header is the final one of a routing header (type 0 or 2)
 * with segments left, as RFC 8200 8.1 says. A UDP checksum of 0 (invalid in
 * IPv6) becomes the value that update gives, which is wrong unless the true
 * checksum is 0xffff; an IPv4 result of 0 ("no checksum" in IPv4) is written
 * as its equivalent 0xffff.</li>
 * <li>Fragments (RFC 8200) become IPv4 fragments with the same offsets and
 * more-fragments flag, less the extension headers that follow the fragment
 * header in the first fragment (multiples of 8 bytes, so the offsets stay
 * exact), with the upper-layer protocol of the first fragment; the IPv4
 * identification is the low 16 bits of IPv6's 32 (two datagrams of one
 * address pair whose identifications differ only in the high bits would be
 * merged: none of the test captures has such). An atomic fragment (offset 0,
 * M clear, RFC 6946) is an unfragmented datagram. Packets that are not
 * fragments get an identification no fragment of the capture uses, so that
 * IPv4 libnids never drops a fragment queue for them.</li>
 * <li>IPv6 reassembly differs from IPv4's on overlaps, which the translator
 * therefore models itself (RFC 5722, as the contract says): a fragment that
 * overlaps one held for its datagram drops the datagram with one
 * {@code NIDS_WARN_IP_OVERLAP} warning; it is written as an IPv4 fragment with
 * exactly the range and bytes of the first fragment it overlaps and MF set, on
 * which IPv4 libnids warns once and keeps the queue incomplete; the later
 * fragments of a dropped datagram, for 30 seconds after its last fragment
 * (libnids' IP_FRAG_TIME), are written with identifications of their own,
 * each a lone fragment that never completes. An exact duplicate (same offset,
 * length and M flag as a held fragment) is dropped silently, as RFC 8200 4.5
 * allows, and written the same way.</li>
 * <li>A routing header (any type) with segments left before the fragment
 * header means the datagram is not at its final destination, as an IPv4
 * source-routed one, which libnids drops with {@code NIDS_WARN_IP_SRR}: it
 * becomes an IPv4 datagram with a loose source route option (LSRR, one
 * address), on which IPv4 libnids gives that warning and drops it. The checks
 * of the next item come first, as in libnids.</li>
 * <li>Malformed datagrams: fewer than 40 bytes captured gives an IPv4 header
 * cut to half as many bytes (libnids: {@code NIDS_WARN_IP_HDR} without
 * addresses); a version other than 6 (or 4, above), a payload length of 0 (jumbograms are not
 * supported), an extension header running past the payload length, or a
 * hop-by-hop header not first gives an IPv4 header whose total length (19) is
 * shorter than itself ({@code NIDS_WARN_IP_HDR} with the addresses); a
 * datagram cut by the snap length (its extension headers included) gives an
 * IPv4 datagram cut the same way ({@code NIDS_WARN_IP_HDR}). The datagram is
 * dropped in every case.</li>
 * <li>ICMPv6 Destination Unreachable messages, with which libnids resets a
 * stream in its handshake, become ICMP Destination Unreachable ones that IPv4
 * libnids treats alike (see {@code unreachable}); other ICMPv6 messages keep
 * protocol 58, which IPv4 libnids ignores.</li>
 * <li>Bytes captured after the datagram (link padding) are kept after it.</li>
 * </ul>
 *
 * <pre>
 *   Ipv6ToIpv4.Translation t = Ipv6ToIpv4.translate(Path.of("testdata/captured/ipv6/http-small.pcap"));
 *   Files.write(Path.of("v4.pcap"), t.capture());
 * </pre>
 */
public final class Ipv6ToIpv4 {
    static final int HOP = 0, TCP = 6, UDP = 17, ROUTING = 43, FRAGMENT = 44, ESP = 50, AH = 51, ICMPV6 = 58,
            NONE = 59, DSTOPTS = 60;
    /** Extension headers of IANA's registry with RFC 6564's generic format: mobility, HIP, shim6, 253, 254. */
    static final Set<Integer> GENERIC = Set.of(135, 139, 140, 253, 254);
    /** libnids' IP_FRAG_TIME, about 30 seconds. */
    static final long FRAG_TIME_NANOS = 30_000_000_000L;

    /**
     * The translated capture; {@code toIpv6} maps each IPv4 address the
     * translator assigned to the IPv6 address it stands for (text, RFC 5952);
     * counts of IPv6 packets, of those written as malformed, of extension headers
     * dropped and of fragments the translator dropped by the RFC 5722 model.
     */
    public record Translation(byte[] capture, Map<String, String> toIpv6, int packets, int ipv6Packets,
                              int malformed, int extensionHeaders, int droppedFragments) { }

    private Ipv6ToIpv4() { }

    public static Translation translate(Path file) throws IOException {
        return translate(CaptureReader.read(file));
    }

    public static Translation translate(byte[] capture) {
        return translate(CaptureReader.read(capture, "capture"));
    }

    public static Translation translate(CaptureReader.Capture c) {
        return new Translator(c).run();
    }

    // ---- link layers --------------------------------------------------------

    /** Whether a frame of this link type carries IPv6 (as the translator sees it). */
    public static boolean isIpv6Frame(int linktype, byte[] frame) {
        return frame(linktype, frame).version() == 6;
    }

    /**
     * Where a frame's network header is and what it is: 6, 4, or 0 (anything
     * else); {@code ipv6Link}: the link layer says IPv6 but the version
     * nibble says 4, so the packet is the IPv4 packet it is (as libnids reads
     * raw links: the version nibble decides) and only its link header is
     * rewritten.
     */
    record Frame(int offset, int version, boolean ipv6Link) {
        Frame(int offset, int version) {
            this(offset, version, false);
        }
    }

    static Frame frame(int linktype, byte[] f) {
        Frame byLink = frameByLink(linktype, f);
        int o = byLink.offset();
        if (byLink.version() == 6 && f.length > o && (f[o] & 0xf0) == 0x40) return new Frame(o, 4, true);
        return byLink;
    }

    private static Frame frameByLink(int linktype, byte[] f) {
        switch (linktype) {
            case 1 -> {
                if (f.length < 14) return new Frame(0, 0);
                int type = u16(f, 12);
                if (type == 0x8100 && f.length >= 18) return byType(u16(f, 16), 18);
                return byType(type, 14);
            }
            case 113 -> {
                return f.length < 16 ? new Frame(0, 0) : byType(u16(f, 14), 16);
            }
            case 0, 108 -> {
                if (f.length < 4) return new Frame(0, 0);
                int le = ByteBuffer.wrap(f, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
                int be = ByteBuffer.wrap(f, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
                if (isInet6(le) || isInet6(be)) return new Frame(4, 6);
                return new Frame(4, le == 2 || be == 2 ? 4 : 0);
            }
            case 101, 12, 14, 228, 229 -> {
                return new Frame(0, f.length == 0 ? 0 : (f[0] & 0xf0) >> 4);
            }
            default -> {
                return new Frame(0, 0);
            }
        }
    }

    private static boolean isInet6(int family) {
        return family == 24 || family == 28 || family == 30;
    }

    private static Frame byType(int ethertype, int offset) {
        return new Frame(offset, ethertype == 0x86dd ? 6 : ethertype == 0x0800 ? 4 : 0);
    }

    /** The link header of an IPv6 frame rewritten for IPv4. */
    static byte[] ipv4Link(int linktype, byte[] f, int offset) {
        byte[] h = Arrays.copyOf(f, offset);
        switch (linktype) {
            case 1, 113 -> put16(h, offset - 2, 0x0800);
            case 0, 108 -> {
                boolean le = isInet6(ByteBuffer.wrap(f, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
                ByteBuffer.wrap(h).order(le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN).putInt(0, 2);
            }
            default -> { }
        }
        return h;
    }

    // ---- the IPv6 extension-header walk ------------------------------------------

    /** The walk of one IPv6 datagram's headers: see {@link #walk}. */
    static final class Walk {
        /** Offsets from the IPv6 header. */
        int upper = 40, fragment = -1;
        int protocol;
        int headers;
        /** Final destination of a routing header with segments left (pseudo-header), else null. */
        byte[] finalDst;
        /** A routing header (any type) with segments left was walked. */
        boolean routed;
        /** Why the datagram is malformed ("" if it is not); {@code cut} if its headers go past the captured bytes. */
        String malformed = "";
        boolean cut;
    }

    /**
     * Walks the extension headers from {@code nh} at {@code at} until an upper
     * layer or a fragment header (included: {@code fragment} is its offset,
     * {@code upper} the byte after it). {@code end} is 40 + payload length,
     * {@code captured} the bytes present.
     */
    static Walk walk(byte[] ip, int base, int nh, int at, int end, int captured, boolean stopAtFragment) {
        Walk w = new Walk();
        boolean first = at == 40;
        while (true) {
            if (nh == HOP && !first) {
                w.malformed = "hop-by-hop header not first";
                break;
            }
            if (nh != HOP && nh != ROUTING && nh != DSTOPTS && nh != AH && nh != FRAGMENT && !GENERIC.contains(nh)) break;
            if (nh == FRAGMENT && stopAtFragment) {
                if (w.fragment >= 0) {
                    w.malformed = "two fragment headers";
                    break;
                }
            }
            if (at + 8 > end) {
                w.malformed = "extension header past the payload";
                break;
            }
            if (at + 8 > captured) {
                w.cut = true;
                break;
            }
            int len = nh == FRAGMENT ? 8 : nh == AH ? ((ip[base + at + 1] & 0xff) + 2) * 4 : ((ip[base + at + 1] & 0xff) + 1) * 8;
            if (at + len > end) {
                w.malformed = "extension header past the payload";
                break;
            }
            if (at + len > captured) {
                w.cut = true;
                break;
            }
            if (nh == ROUTING && (ip[base + at + 3] & 0xff) > 0) w.routed = true;
            if (nh == ROUTING && (ip[base + at + 3] & 0xff) > 0 && ((ip[base + at + 2] & 0xff) == 0
                    || (ip[base + at + 2] & 0xff) == 2) && len >= 24) {
                w.finalDst = Arrays.copyOfRange(ip, base + at + len - 16, base + at + len);
            }
            w.headers++;
            int next = ip[base + at] & 0xff;
            if (nh == FRAGMENT) {
                w.fragment = at;
                at += len;
                nh = next;
                if (stopAtFragment) {
                    w.upper = at;
                    w.protocol = nh;
                    return w;
                }
                continue;
            }
            at += len;
            nh = next;
            first = false;
        }
        w.upper = at;
        w.protocol = nh;
        return w;
    }

    // ---- the translator -------------------------------------------------------

    private static final class Translator {
        final CaptureReader.Capture in;
        final Map<String, String> v6ToV4 = new LinkedHashMap<>();
        final Set<String> usedV4 = new HashSet<>();
        int nextV4 = (198 << 24) | (18 << 16) | 1;
        /** Per fragmented datagram (src|dst|id): upper protocol and extension bytes after the fragment header. */
        final Map<String, int[]> firstFragment = new HashMap<>();
        final Set<Integer> fragmentIds = new HashSet<>();
        int unfragmentedId, nextFreshId = 1;
        final Map<String, Reassembly> reassembly = new HashMap<>();
        int ipv6, malformed, extensionHeaders, dropped;

        Translator(CaptureReader.Capture in) {
            this.in = in;
        }

        Translation run() {
            prepass();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteOrder order = in.order();
            ByteBuffer h = ByteBuffer.allocate(24).order(order);
            int linktype = in.linktype() == 229 ? 228 : in.linktype();
            h.putInt(in.nanos() ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0)
                    .putInt(0).putInt(in.snaplen() > 0 ? in.snaplen() : 262144).putInt(linktype);
            out.writeBytes(h.array());
            for (CaptureReader.Record r : in.records()) {
                byte[] data = r.data();
                int origLen = r.origLen();
                Frame f = frame(in.linktype(), data);
                if (f.version() == 6) {
                    ipv6++;
                    byte[] t = translatePacket(data, f.offset(), r.nanos());
                    origLen = Math.max(t.length, origLen - (data.length - t.length));
                    data = t;
                } else if (f.ipv6Link()) {
                    data = concat(ipv4Link(in.linktype(), data, f.offset()),
                            Arrays.copyOfRange(data, f.offset(), data.length));
                }
                ByteBuffer rh = ByteBuffer.allocate(16).order(order);
                long sec = r.nanos() / 1_000_000_000L, ns = r.nanos() % 1_000_000_000L;
                rh.putInt((int) sec).putInt((int) (in.nanos() ? ns : ns / 1000)).putInt(data.length).putInt(origLen);
                out.writeBytes(rh.array());
                out.writeBytes(data);
            }
            Map<String, String> back = new LinkedHashMap<>();
            v6ToV4.forEach((v6, v4) -> back.put(v4, v6));
            return new Translation(out.toByteArray(), back, in.records().size(), ipv6, malformed, extensionHeaders,
                    dropped);
        }

        /** IPv4 addresses in use, IPv6 addresses in order of appearance, fragments' first-fragment facts. */
        void prepass() {
            List<byte[][]> v6 = new ArrayList<>();
            for (CaptureReader.Record r : in.records()) {
                byte[] d = r.data();
                Frame f = frame(in.linktype(), d);
                int o = f.offset();
                if (f.version() == 4 && d.length >= o + 20) {
                    usedV4.add(text(Arrays.copyOfRange(d, o + 12, o + 16)));
                    usedV4.add(text(Arrays.copyOfRange(d, o + 16, o + 20)));
                } else if (f.version() == 6 && d.length >= o + 40) {
                    byte[] src = Arrays.copyOfRange(d, o + 8, o + 24), dst = Arrays.copyOfRange(d, o + 24, o + 40);
                    v6.add(new byte[][] {src, dst});
                    int end = 40 + u16(d, o + 4);
                    Walk w = walk(d, o, d[o + 6] & 0xff, 40, end, d.length - o, true);
                    if (w.fragment >= 0 && w.malformed.isEmpty()) {
                        int id = (int) u32(d, o + w.fragment + 4);
                        fragmentIds.add(id & 0xffff);
                        int offset = u16(d, o + w.fragment + 2) & 0xfff8;
                        if (offset == 0) {
                            Walk after = walk(d, o, w.protocol, w.upper, end, d.length - o, false);
                            int extra = after.malformed.isEmpty() && !after.cut && after.fragment < 0
                                    ? after.upper - w.upper : 0;
                            firstFragment.put(key(src, dst, id), new int[] {extra > 0 ? after.protocol : w.protocol, extra});
                        }
                    }
                }
            }
            for (byte[][] p : v6) {
                v4For(p[0]);
                v4For(p[1]);
            }
            while (fragmentIds.contains(unfragmentedId)) unfragmentedId++;
        }

        String v4For(byte[] v6) {
            return v6ToV4.computeIfAbsent(text(v6), k -> {
                String a;
                do {
                    a = ((nextV4 >>> 24) & 0xff) + "." + ((nextV4 >>> 16) & 0xff) + "." + ((nextV4 >>> 8) & 0xff) + "."
                            + (nextV4 & 0xff);
                    nextV4++;
                } while (usedV4.contains(a) || a.endsWith(".0") || a.endsWith(".255"));
                return a;
            });
        }

        int freshId() {
            while (fragmentIds.contains(nextFreshId & 0xffff) || (nextFreshId & 0xffff) == unfragmentedId) nextFreshId++;
            return nextFreshId++ & 0xffff;
        }

        byte[] translatePacket(byte[] frame, int o, long nanos) {
            byte[] link = ipv4Link(in.linktype(), frame, o);
            int captured = frame.length - o;
            if (captured < 40 || (frame[o] & 0xf0) != 0x60) {
                malformed++;
                if (captured < 40) return concat(link, Arrays.copyOfRange(shortHeader(), 0, captured / 2));
                return concat(link, invalidHeader(frame, o));
            }
            byte[] src = Arrays.copyOfRange(frame, o + 8, o + 24), dst = Arrays.copyOfRange(frame, o + 24, o + 40);
            int plen = u16(frame, o + 4);
            int end = 40 + plen;
            if (plen == 0) {
                malformed++;
                return concat(link, invalidHeader(frame, o));
            }
            Walk w = walk(frame, o, frame[o + 6] & 0xff, 40, end, captured, true);
            extensionHeaders += w.headers - (w.fragment >= 0 ? 1 : 0);
            if (!w.malformed.isEmpty()) {
                malformed++;
                return concat(link, invalidHeader(frame, o));
            }
            int tos = ((u16(frame, o) >> 4) & 0xff);
            int ttl = frame[o + 7] & 0xff;
            if (w.cut) {
                // headers cut by the snap length: an IPv4 datagram cut the same way (libnids: NIDS_WARN_IP_HDR)
                malformed++;
                byte[] rest = Arrays.copyOfRange(frame, o + Math.min(w.upper, captured), frame.length);
                int total = 20 + (end - w.upper);
                return concat(link, ipv4Header(tos, total, unfragmentedId, 0, ttl, w.protocol, src, dst), rest);
            }
            if (w.routed) {
                // not at its final destination: an IPv4 source route, which libnids drops (NIDS_WARN_IP_SRR)
                byte[] payload = Arrays.copyOfRange(frame, o + w.upper, o + Math.min(end, captured));
                byte[] trailer = Arrays.copyOfRange(frame, o + Math.min(end, captured), frame.length);
                byte[] h = ipv4Header(tos, 28 + (end - w.upper), unfragmentedId, 0, ttl, w.protocol, src, dst);
                return concat(link, withLooseSourceRoute(h), payload, trailer);
            }
            int id = unfragmentedId, fragField = 0, protocol = w.protocol, from = w.upper;
            boolean first = true;
            if (w.fragment >= 0) {
                int field = u16(frame, o + w.fragment + 2);
                int offset = field & 0xfff8;
                boolean more = (field & 1) != 0;
                long id32 = u32(frame, o + w.fragment + 4);
                if (offset != 0 || more) {
                    String k = key(src, dst, (int) id32);
                    int[] ff = firstFragment.getOrDefault(k, new int[] {w.protocol, 0});
                    protocol = ff[0];
                    first = offset == 0;
                    int length = end - w.upper;
                    int shifted = first ? 0 : offset - ff[1];
                    if (first) from = w.upper + ff[1];
                    if (shifted < 0) shifted = offset;
                    Held decision = hold(k, offset, length, more, nanos);
                    id = (int) (id32 & 0xffff);
                    fragField = (more ? 0x2000 : 0) | ((shifted >> 3) & 0x1fff);
                    if (decision == Held.OVERLAP) {
                        Reassembly r = reassembly.get(k);
                        dropped++;
                        // IPv4 libnids warns once and keeps its queue incomplete (class comment)
                        return concat(link, r.overlapCopy);
                    }
                    if (decision == Held.DROP) {
                        dropped++;
                        id = freshId();
                        fragField |= 0x2000;
                    }
                } else {
                    // atomic fragment: an unfragmented datagram; the headers after the fragment header go too
                    Walk after = walk(frame, o, w.protocol, w.upper, end, captured, false);
                    extensionHeaders += after.headers;
                    if (!after.malformed.isEmpty() || after.cut || after.fragment >= 0) {
                        malformed++;
                        return concat(link, invalidHeader(frame, o));
                    }
                    protocol = after.protocol;
                    from = after.upper;
                    if (after.finalDst != null) w.finalDst = after.finalDst;
                }
            }
            byte[] payload = Arrays.copyOfRange(frame, o + from, o + Math.min(end, captured));
            if (first) fixChecksum(payload, protocol, src, w.finalDst != null ? w.finalDst : dst, dst);
            byte[] trailer = Arrays.copyOfRange(frame, o + Math.min(end, captured), frame.length);
            int total = 20 + (end - from);
            byte[] unreachable = protocol == ICMPV6 && fragField == 0 && end <= captured ? unreachable(payload, src, dst) : null;
            if (unreachable != null) {
                payload = unreachable;
                protocol = 1;
                total = 20 + payload.length;
            }
            byte[] ip = concat(ipv4Header(tos, total, id, fragField, ttl, protocol, src, dst), payload);
            if (w.fragment >= 0 && fragField != 0) remember(src, dst, frame, o, w, ip);
            return concat(link, ip, trailer);
        }

        /**
         * An ICMPv6 Destination Unreachable message (RFC 4443 3.1) as the ICMP one (type 3) that IPv4 libnids
         * acts on in the same cases (class comment), or null for any other message. Port unreachable (4) becomes
         * port unreachable (3), which makes libnids match the sender against the quoted destination as ICMPv6's
         * code 4 does; the other codes of RFC 4443 and its successors (0-8) host unreachable (1); an undefined one
         * 16, which libnids ignores as it ignores ICMPv6's. The quoted IPv6 packet becomes a 20-byte IPv4 header
         * and the bytes after its extension headers; one that is not TCP, not walkable within the quote, holds a
         * Fragment header or quotes fewer than 8 bytes of TCP gets protocol 255, and one shorter than 40 bytes
         * (or not version 6) is cut to 19 bytes: libnids ignores both. A wrong ICMPv6 checksum gives a wrong ICMP one.
         */
        byte[] unreachable(byte[] m, byte[] src6, byte[] dst6) {
            if (m.length < 8 || (m[0] & 0xff) != 1) return null;
            boolean right = Packets.checksum(m, 0, m.length, Ipv6Packets.pseudo(text(src6), text(dst6), ICMPV6, m.length)) == 0;
            int code6 = m[1] & 0xff;
            byte[] q = Arrays.copyOfRange(m, 8, m.length);
            byte[] quote;
            if (q.length < 40 || (q[0] & 0xf0) != 0x60) {
                quote = Arrays.copyOf(q, Math.min(q.length, 19));
            } else {
                Walk w = walk(q, 0, q[6] & 0xff, 40, q.length, q.length, true);
                boolean tcp = w.malformed.isEmpty() && w.fragment < 0 && w.protocol == TCP && w.upper + 8 <= q.length;
                byte[] qsrc = Arrays.copyOfRange(q, 8, 24), qdst = Arrays.copyOfRange(q, 24, 40);
                int from = tcp ? w.upper : 40;
                quote = concat(ipv4Header(0, 20 + q.length - from, unfragmentedId, 0, q[7] & 0xff, tcp ? TCP : 255, qsrc, qdst),
                        Arrays.copyOfRange(q, from, q.length));
            }
            byte[] icmp = concat(new byte[] {3, (byte) (code6 == 4 ? 3 : code6 <= 8 ? 1 : 16), 0, 0},
                    Arrays.copyOfRange(m, 4, 8), quote);
            int sum = Packets.checksum(icmp, 0, icmp.length, 0);
            put16(icmp, 2, right ? sum : sum ^ 0xff);
            return icmp;
        }

        /** The datagram's IPv4 copy of its first held fragment, written again on an overlap. */
        void remember(byte[] src, byte[] dst, byte[] frame, int o, Walk w, byte[] ip) {
            Reassembly r = reassembly.get(key(src, dst, (int) u32(frame, o + w.fragment + 4)));
            if (r != null && r.overlapCopy == null) {
                byte[] c = ip.clone();
                c[6] |= 0x20; // MF
                put16(c, 10, 0);
                put16(c, 10, Packets.checksum(c, 0, 20, 0));
                r.overlapCopy = c;
            }
        }

        enum Held { KEEP, OVERLAP, DROP }

        /** RFC 5722's model of one datagram's fragments: see the class comment. */
        static final class Reassembly {
            final List<int[]> ranges = new ArrayList<>(); // {from, to, more}
            int last = -1;
            boolean dropped;
            long lastNanos;
            byte[] overlapCopy;
        }

        Held hold(String k, int offset, int length, boolean more, long nanos) {
            Reassembly r = reassembly.get(k);
            if (r != null && nanos - r.lastNanos > FRAG_TIME_NANOS) {
                reassembly.remove(k);
                r = null;
            }
            if (r == null) {
                r = new Reassembly();
                reassembly.put(k, r);
            }
            r.lastNanos = nanos;
            if (r.dropped) return Held.DROP;
            int to = offset + length;
            for (int[] h : r.ranges) {
                if (h[0] == offset && h[1] == to && (h[2] != 0) == more) return Held.DROP;
            }
            for (int[] h : r.ranges) {
                if (offset < h[1] && h[0] < to) {
                    r.dropped = true;
                    return r.overlapCopy != null ? Held.OVERLAP : Held.DROP;
                }
            }
            r.ranges.add(new int[] {offset, to, more ? 1 : 0});
            if (!more) r.last = to;
            if (r.last >= 0 && covered(r.ranges, r.last)) reassembly.remove(k);
            return Held.KEEP;
        }

        static boolean covered(List<int[]> ranges, int end) {
            List<int[]> s = new ArrayList<>(ranges);
            s.sort((a, b) -> Integer.compare(a[0], b[0]));
            int at = 0;
            for (int[] h : s) {
                if (h[0] > at) return false;
                at = Math.max(at, h[1]);
            }
            return at >= end;
        }

        /** An IPv4 header with a total length (19) shorter than itself: libnids drops it with NIDS_WARN_IP_HDR. */
        byte[] invalidHeader(byte[] frame, int o) {
            byte[] src = Arrays.copyOfRange(frame, o + 8, o + 24), dst = Arrays.copyOfRange(frame, o + 24, o + 40);
            byte[] h = ipv4Header(0, 20, unfragmentedId, 0, 64, 0, src, dst);
            put16(h, 2, 19);
            put16(h, 10, 0);
            put16(h, 10, Packets.checksum(h, 0, 20, 0));
            return concat(h, Arrays.copyOfRange(frame, Math.min(frame.length, o + 40), frame.length));
        }

        /**
         * A 20-byte IPv4 header (its total length already counting the option)
         * with a loose source route option (RFC 791: type 131, length 7, pointer
         * 4, one address, the header's destination) and an end of options: 28
         * bytes, header length 7, the checksum recomputed.
         */
        static byte[] withLooseSourceRoute(byte[] h20) {
            byte[] h = Arrays.copyOf(h20, 28);
            h[0] = 0x47;
            h[20] = (byte) 131;
            h[21] = 7;
            h[22] = 4;
            System.arraycopy(h20, 16, h, 23, 4);
            h[27] = 0; // IPOPT_END
            put16(h, 10, 0);
            put16(h, 10, Packets.checksum(h, 0, 28, 0));
            return h;
        }

        /** The start of an IPv4 header (no addresses: it is cut to fewer than 20 bytes). */
        static byte[] shortHeader() {
            byte[] h = new byte[20];
            h[0] = 0x45;
            put16(h, 2, 20);
            h[8] = 64;
            return h;
        }

        byte[] ipv4Header(int tos, int total, int id, int frag, int ttl, int protocol, byte[] src6, byte[] dst6) {
            byte[] h = new byte[20];
            h[0] = 0x45;
            h[1] = (byte) tos;
            put16(h, 2, Math.min(total, 0xffff));
            put16(h, 4, id);
            put16(h, 6, frag);
            h[8] = (byte) ttl;
            h[9] = (byte) protocol;
            System.arraycopy(Packets.ip(v4For(src6)), 0, h, 12, 4);
            System.arraycopy(Packets.ip(v4For(dst6)), 0, h, 16, 4);
            put16(h, 10, Packets.checksum(h, 0, 20, 0));
            return h;
        }

        /**
         * Moves a TCP/UDP checksum from the IPv6 pseudo-header (src6, dst6: the final destination) to the
         * IPv4 one of the translated header (RFC 1624; see the class comment).
         */
        void fixChecksum(byte[] seg, int protocol, byte[] src6, byte[] dst6, byte[] headerDst6) {
            int at = protocol == TCP ? 16 : protocol == UDP ? 6 : -1;
            if (at < 0 || seg.length < at + 2) return;
            int stored = u16(seg, at);
            long sum = (~stored) & 0xffff;
            byte[] s4 = Packets.ip(v4For(src6)), d4 = Packets.ip(v4For(headerDst6));
            for (int i = 0; i < 4; i += 2) sum += u16(s4, i) + u16(d4, i);
            for (int i = 0; i < 16; i += 2) sum += (~u16(src6, i) & 0xffff) + (~u16(dst6, i) & 0xffff);
            while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
            int result = (int) (~sum & 0xffff);
            if (protocol == UDP && result == 0) result = 0xffff;
            put16(seg, at, result);
        }
    }

    // ---- small helpers ---------------------------------------------------------

    static String key(byte[] src, byte[] dst, int id) {
        return text(src) + "|" + text(dst) + "|" + id;
    }

    /** An address's text: dotted IPv4, or IPv6 as RFC 5952 says. */
    public static String text(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
        }
        return rfc5952(address);
    }

    /** RFC 5952 text of a 16-byte address: lowercase, no leading zeros, the longest run (>= 2) of zero groups as ::, leftmost on ties; IPv4-mapped as ::ffff:a.b.c.d. */
    public static String rfc5952(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = u16(a, 2 * i);
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return "::ffff:" + text(Arrays.copyOfRange(a, 12, 16));
        }
        int best = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') b.append(':');
            b.append(Integer.toHexString(g[i]));
        }
        return b.toString();
    }

    /** The 16 bytes of an IPv6 address written in any valid form. */
    public static byte[] ipv6(String text) {
        try {
            if (!text.contains(":")) throw new IllegalArgumentException("not an IPv6 address: " + text);
            byte[] b = InetAddress.getByName(text).getAddress();
            if (b.length == 16) return b;
            byte[] m = new byte[16];
            m[10] = (byte) 0xff;
            m[11] = (byte) 0xff;
            System.arraycopy(b, 0, m, 12, 4);
            return m;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: " + text, e);
        }
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 8);
        b[at + 1] = (byte) v;
    }

    static byte[] concat(byte[]... parts) {
        return Packets.concat(parts);
    }
}
