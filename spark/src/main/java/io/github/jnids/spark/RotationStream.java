package io.github.jnids.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The files of a rotation set as one capture: the first whole, each further
 * pcap file without its 24-byte file header (which must equal the first's in
 * byte order, version, snapshot length and link type, or libpcap would misread
 * its records), each further pcapng file whole (a new section, which libpcap
 * reads on). Files are opened one after the other, as the session reaches them.
 */
final class RotationStream {
    /** Opens one file of the set (decompressed when it is compressed). */
    interface Opener {
        InputStream open(String file) throws IOException;
    }

    private static final int PCAP_HEADER = 24;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;

    private RotationStream() { }

    static InputStream of(List<String> files, Opener opener) throws IOException {
        if (files.size() == 1) return opener.open(files.get(0));
        String first = files.get(0);
        InputStream in = opener.open(first);
        byte[] header = readUpTo(in, PCAP_HEADER);
        Format format = format(header, first);
        InputStream head = new SequenceInputStream(new ByteArrayInputStream(header), in);
        Iterator<String> rest = files.subList(1, files.size()).iterator();
        Iterator<InputStream> parts = new Iterator<>() {
            boolean firstDone;

            @Override
            public boolean hasNext() {
                return !firstDone || rest.hasNext();
            }

            @Override
            public InputStream next() {
                if (!firstDone) {
                    firstDone = true;
                    return head;
                }
                if (!rest.hasNext()) throw new NoSuchElementException();
                String file = rest.next();
                try {
                    return continuation(opener.open(file), file, first, header, format);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        return new UncheckingStream(new SequenceInputStream(new java.util.Enumeration<InputStream>() {
            @Override
            public boolean hasMoreElements() {
                return parts.hasNext();
            }

            @Override
            public InputStream nextElement() {
                return parts.next();
            }
        }));
    }

    private enum Format { PCAP, PCAPNG }

    private static Format format(byte[] header, String file) throws IOException {
        if (header.length >= 4) {
            int magic = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            if (magic == PCAPNG_SHB) return Format.PCAPNG;
            if (header.length == PCAP_HEADER) return Format.PCAP; // libpcap judges the magic itself
        }
        throw new IOException("jnids: rotation set starting with " + file + ": the file is too short to be a capture");
    }

    /** A further file of the set: checked against the first, its pcap file header dropped. */
    private static InputStream continuation(InputStream in, String file, String first, byte[] firstHeader, Format format)
            throws IOException {
        byte[] header = readUpTo(in, PCAP_HEADER);
        Format f;
        try {
            f = format(header, file);
        } catch (IOException e) {
            in.close();
            throw new IOException("jnids: rotation set of " + first + ": " + file + " is too short to be a capture");
        }
        if (f != format) {
            in.close();
            throw new IOException("jnids: rotation set of " + first + ": " + file + " is " + f.name().toLowerCase()
                    + " but " + first + " is " + format.name().toLowerCase() + "; a set must be of one format");
        }
        if (f == Format.PCAPNG) return new SequenceInputStream(new ByteArrayInputStream(header), in);
        // Magic (byte order and time resolution), version, snapshot length, link type; not the time zone fields.
        boolean same = Arrays.equals(header, 0, 8, firstHeader, 0, 8) && Arrays.equals(header, 16, 24, firstHeader, 16, 24);
        if (!same) {
            in.close();
            throw new IOException("jnids: rotation set of " + first + ": the file header of " + file
                    + " (byte order, version, snapshot length or link type) differs from the first file's;"
                    + " read them without rotation");
        }
        return in;
    }

    private static byte[] readUpTo(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        return b;
    }

    /** Turns the UncheckedIOException of a further file's opening back into the IOException it was. */
    private static final class UncheckingStream extends java.io.FilterInputStream {
        UncheckingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

}
