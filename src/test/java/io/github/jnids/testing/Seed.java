package io.github.jnids.testing;

import java.util.List;

/** What the seed post shows: its nidstest.py output for http_witp_jpegs.cap. */
public final class Seed {
    /** The ten lines {@code python nidstest.py http_witp_jpegs.cap} prints in the post. */
    public static final List<String> TEN_LINES = List.of(
            "[+] 10.1.1.101:3177 - 10.1.1.1:80 (CTS: 476B | STC: 435B)",
            "[+] 10.1.1.101:3188 - 10.1.1.1:80 (CTS: 574B | STC: 4601B)",
            "[+] 10.1.1.101:3189 - 10.1.1.1:80 (CTS: 597B | STC: 8566B)",
            "[+] 10.1.1.101:3190 - 10.1.1.1:80 (CTS: 600B | STC: 9330B)",
            "[+] 10.1.1.101:3195 - 10.1.1.1:80 (CTS: 601B | STC: 692B)",
            "[+] 10.1.1.101:3196 - 10.1.1.1:80 (CTS: 614B | STC: 1540B)",
            "[+] 10.1.1.101:3197 - 10.1.1.1:80 (CTS: 622B | STC: 2509B)",
            "[+] 10.1.1.101:3198 - 10.1.1.1:80 (CTS: 632B | STC: 9248B)",
            "[+] 10.1.1.101:3199 - 10.1.1.1:80 (CTS: 632B | STC: 10990B)",
            "[+] 10.1.1.101:3200 - 10.1.1.1:80 (CTS: 637B | STC: 191777B)");

    private Seed() { }
}
