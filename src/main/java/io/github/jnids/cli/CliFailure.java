package io.github.jnids.cli;

/**
 * A runtime error the command reports as one line, {@code jnids: <message>},
 * with exit status 1 and no stack trace.
 */
final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliFailure(String message) {
        super(message);
    }

    CliFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** Standard output was closed under us (e.g. {@code jnids x.pcap | head}): stop quietly. */
    static final class OutputClosed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutputClosed(Throwable cause) {
            super("standard output closed", cause);
        }
    }
}
