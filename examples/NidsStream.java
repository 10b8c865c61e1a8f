// nidsstream.py, the seed post's second pynids program, in Java: the line
// nidstest.py prints for each finished TCP stream, then the first 300 bytes the
// client sent (CTS) and the first 300 bytes the server sent (STC).
//
//   java -cp target/jnids-0.1.0-all.jar examples/NidsStream.java CAPTURE
//
// The post shows this program's output but not its source. The source is
// nidstest.py with the printing extended, and the layout follows the post's
// output: the line, an empty line, the CTS bytes, then the STC bytes, each
// followed by a newline as Python's print adds one. (A request ending in
// "\r\n\r\n" thus leaves two empty lines before the response.) The bytes are
// written as they are, like Python 2's print of a str: binary content comes out
// raw.

import io.github.jnids.Nids;
import io.github.jnids.NidsException;
import io.github.jnids.TcpStream;
import io.github.jnids.Tuple4;

import java.util.Arrays;
import java.util.Set;

public class NidsStream {

    // end_states = (nids.NIDS_CLOSE, nids.NIDS_TIMEOUT, nids.NIDS_RESET)
    static final Set<Integer> END_STATES = Set.of(Nids.NIDS_CLOSE, Nids.NIDS_TIMEOUT, Nids.NIDS_RESET);

    static void tcpCallback(TcpStream tcp) {
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
        if (args.length == 1) {                       // if len(sys.argv) == 2:
            Nids.param("filename", args[0]);
        }

        Nids.init();
        Nids.registerTcp(NidsStream::tcpCallback);

        try {
            Nids.run();
        } catch (NidsException e) {                   // except nids.error, e:
            System.out.println("[-] Error: " + e.getMessage());
        } catch (Exception e) {                       // except Exception, e:
            System.out.println("[-] Exception: " + e);
        }
    }
}
