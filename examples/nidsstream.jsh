// nidsstream.py, the seed post's second pynids program, as a jshell script:
// the line nidstest.py prints for each finished TCP stream, then the first 300
// bytes the client sent (CTS) and the first 300 bytes the server sent (STC).
//
//   jshell -R-Dpcap=CAPTURE --class-path target/jnids-0.1.0-all.jar examples/nidsstream.jsh
//
// The same program as NidsStream.java (see there for the layout, taken from
// the seed post's output). The capture comes in as the system property "pcap"
// of jshell's execution engine (hence -R-D...), standing in for sys.argv[1].
// jshell shows no snippet feedback for a script given on its command line, so
// the script prints only what the program prints. Exit status: 0, or 1 when
// main() throws.

import io.github.jnids.*;
import java.util.*;

// end_states = (nids.NIDS_CLOSE, nids.NIDS_TIMEOUT, nids.NIDS_RESET)
final Set<Integer> END_STATES = Set.of(Nids.NIDS_CLOSE, Nids.NIDS_TIMEOUT, Nids.NIDS_RESET);

// Python's data[:n]: the first n bytes, or all of them when there are fewer.
byte[] upTo(byte[] data, int n) {
    return Arrays.copyOf(data, Math.min(data.length, n));
}

// Python 2's print of a str: the bytes as they are, then a newline.
void print(byte[] bytes) {
    System.out.write(bytes, 0, bytes.length);
    System.out.println();
}

void tcpCallback(TcpStream tcp) {
    if (tcp.nidsState() == Nids.NIDS_JUST_EST) {
        Tuple4 addr = tcp.addr();                 // ((src, sport), (dst, dport)) = tcp.addr
        tcp.client().collect(true);               // tcp.client.collect = 1
        tcp.server().collect(true);               // tcp.server.collect = 1

    } else if (tcp.nidsState() == Nids.NIDS_DATA) {
        tcp.discard(0);

    } else if (END_STATES.contains(tcp.nidsState())) {
        Tuple4 addr = tcp.addr();
        System.out.println(String.format("[+] %s:%s - %s:%s (CTS: %dB | STC: %dB)",
                addr.src(), addr.sport(), addr.dst(), addr.dport(),
                upTo(tcp.server().data(), tcp.server().count()).length,
                upTo(tcp.client().data(), tcp.client().count()).length));
        System.out.println();
        print(upTo(tcp.server().data(), 300));     // print tcp.server.data[:300]
        print(upTo(tcp.client().data(), 300));     // print tcp.client.data[:300]
    }
}

void main() {
    if (System.getProperty("pcap") != null) {     // if len(sys.argv) == 2:
        Nids.param("filename", System.getProperty("pcap"));
    }

    Nids.init();
    Nids.registerTcp(tcp -> tcpCallback(tcp));

    try {
        Nids.run();
    } catch (NidsException e) {                   // except nids.error, e:
        System.out.println("[-] Error: " + e.getMessage());
    } catch (Exception e) {                       // except Exception, e:
        System.out.println("[-] Exception: " + e);
    }
}

int status = 1;
{ main(); status = 0; }
System.out.flush();
/exit status
