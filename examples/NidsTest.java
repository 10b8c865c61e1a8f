// nidstest.py, the pynids program from the seed post, in Java: one line per
// finished TCP stream with the bytes seen each way.
//
//   java -cp target/jnids-0.1.0-all.jar examples/NidsTest.java CAPTURE
//
// Each part below sits where its Python counterpart sits in nidstest.py:
// end_states, tcpcallback, main, the try/except around nids.run().

import io.github.jnids.Nids;
import io.github.jnids.NidsException;
import io.github.jnids.TcpStream;
import io.github.jnids.Tuple4;

import java.util.Arrays;
import java.util.Set;

public class NidsTest {

    // end_states = (nids.NIDS_CLOSE, nids.NIDS_TIMEOUT, nids.NIDS_RESET)
    // NIDS_EXITING is not among them: streams still open when the capture ends
    // are not printed, just as with pynids.
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
        }
    }

    // Python's data[:n]: the first n bytes, or all of them when there are fewer.
    static byte[] upTo(byte[] data, int n) {
        return Arrays.copyOf(data, Math.min(data.length, n));
    }

    public static void main(String[] args) {
        if (args.length == 1) {                       // if len(sys.argv) == 2:
            Nids.param("filename", args[0]);
        }

        Nids.init();
        Nids.registerTcp(NidsTest::tcpCallback);

        try {
            Nids.run();
        } catch (NidsException e) {                   // except nids.error, e:
            System.out.println("[-] Error: " + e.getMessage());
        } catch (Exception e) {                       // except Exception, e:
            System.out.println("[-] Exception: " + e);
        }
    }
}
