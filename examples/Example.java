// pynids' Example program, in Java: reports every TCP callback, collects the
// streams to ports 80, 8000 and 8080, and prints what each side sent when such
// a stream ends. Port-scan detection and checksum verification are off.
//
//   java -cp target/jnids-0.1.0-all.jar examples/Example.java CAPTURE   (a capture file)
//   java -cp target/jnids-0.1.0-all.jar examples/Example.java           (live, on the default device)
//
// Written from pynids' Example script (handleTcpStream and main, in the same
// order). Where the two differ:
// - pynids prints tcp.addr as a Python tuple, (('10.1.1.101', 3177), ('10.1.1.1', 80));
//   here it is Tuple4's form, ((10.1.1.101, 3177), (10.1.1.1, 80)).
// - The collected bytes are written as they are, as the Python 2 script's print
//   of a str did (binary content comes out raw).
// - Dropping root: see main.

import io.github.jnids.Nids;
import io.github.jnids.NidsException;
import io.github.jnids.TcpStream;
import io.github.jnids.Tuple4;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

public class Example {

    static final String NOTROOT = "nobody";   // edit to taste
    static final Set<Integer> END_STATES = Set.of(Nids.NIDS_CLOSE, Nids.NIDS_TIMEOUT, Nids.NIDS_RESET);

    static void handleTcpStream(TcpStream tcp) {
        System.out.println("tcps - " + tcp.addr() + "  state: " + tcp.nidsState());
        if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
            // new to us, but do we care?
            Tuple4 addr = tcp.addr();
            int dport = addr.dport();
            System.out.println(tcp.addr());
            if (Set.of(80, 8000, 8080).contains(dport)) {
                System.out.println("collecting...");
                tcp.client().collect(true);
                tcp.server().collect(true);
            }
        } else if (tcp.nidsState() == Nids.NIDS_DATA) {
            // keep all of the stream's new data
            tcp.discard(0);
        } else if (END_STATES.contains(tcp.nidsState())) {
            System.out.println("addr: " + tcp.addr());
            System.out.println("To server:");
            print(upTo(tcp.server().data(), tcp.server().count()));   // WARNING - may be binary
            System.out.println("To client:");
            print(upTo(tcp.client().data(), tcp.client().count()));   // WARNING - as above
        }
    }

    // Python's data[:n]: the first n bytes, or all of them when there are fewer.
    static byte[] upTo(byte[] data, int n) {
        return Arrays.copyOf(data, Math.min(data.length, n));
    }

    // Python 2's print of a str: the bytes as they are, then a newline.
    static void print(byte[] bytes) {
        System.out.write(bytes, 0, bytes.length);
        System.out.println();
    }

    public static void main(String[] args) {

        // Nids.param("pcap_filter", "tcp");          // bpf restrict to TCP only, note
                                                      // libnids caution about fragments

        Nids.param("scan_num_hosts", 0);              // disable portscan detection

        Nids.chksumCtl(List.of(Map.entry("0.0.0.0/0", false)));   // disable checksumming

        if (args.length == 1) {                       // read a pcap file?
            Nids.param("filename", args[0]);
        }

        Nids.init();

        // The Python script now gives up root: it switches to NOTROOT's uid and
        // gid with os.setgroups/setgid/setuid, and exits with "error - drop root,
        // please!" if any id is still 0. A JVM cannot do that: Java has no
        // setuid, and changing ids under a running, multi-threaded JVM is not
        // safe. The nearest honest thing is to say so: capture as an ordinary
        // user instead, with the capabilities libpcap needs given to the java
        // binary (setcap cap_net_raw,cap_net_admin+eip "$(readlink -f "$(which java)")").
        // Reading a capture file needs no privilege at all.
        long uid = new com.sun.security.auth.module.UnixSystem().getUid();
        if (uid == 0) {
            System.err.println("warning - running as root: Java cannot drop to '" + NOTROOT
                    + "'; capture as an ordinary user with CAP_NET_RAW instead");
        }

        Nids.registerTcp(Example::handleTcpStream);
        System.out.println("pid " + ProcessHandle.current().pid());

        // Loop forever (network device), or until EOF (pcap file)
        // Note that an exception in the callback will break the loop!
        try {
            Nids.run();
        } catch (NidsException e) {
            System.out.println("nids/pcap error: " + e.getMessage());
        } catch (Exception e) {
            System.out.println("misc. exception (runtime error in user callback?): " + e);
        }
    }
}
