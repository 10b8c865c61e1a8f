package io.github.jnids;

/**
 * One probe of a port scan: the host and port probed and the TCP flags used.
 *
 * <pre>{@code
 * for (ScanProbe p : warning.probes()) System.out.println(p.host() + ":" + p.port());
 * }</pre>
 *
 * @param host  probed IPv4 address
 * @param port  probed port
 * @param flags TCP flags of the probe as libnids records them (2 SYN, 1 FIN, 0 NULL)
 */
public record ScanProbe(String host, int port, int flags) { }
