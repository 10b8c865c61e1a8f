/*
 * libFuzzer harness for live-style input: packets handed straight to
 * nids_pcap_handler(), as a live capture would, for the link types libnids
 * parses itself. Each packet is copied into a buffer of exactly its captured
 * length, so that any read past caplen is caught.
 *
 * Input: byte 0 FZ_* flags, byte 1 link type selector, then records of
 *   u8 extra (hdr->len = caplen + extra), u16 little-endian caplen, bytes.
 */
#include "fuzz_common.h"

static const int linktypes[] = {
    DLT_EN10MB, DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_PRISM_HEADER,
    DLT_LINUX_SLL, DLT_NULL, DLT_RAW, DLT_PPP, DLT_IEEE802, DLT_FDDI,
    DLT_SLIP, DLT_PPP_SERIAL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned flags = data[0];
    int dlt = linktypes[data[1] % (sizeof linktypes / sizeof linktypes[0])];
    pcap_t *p = pcap_open_dead(dlt, 65535);
    if (!p)
        return 0;
    fz_configure(flags, p);
    if (nids_init()) {
        fz_register();
        size_t pos = 2;
        long t = 1000000000;
        while (pos + 3 <= size) {
            unsigned extra = data[pos];
            size_t caplen = data[pos + 1] | (size_t)data[pos + 2] << 8;
            pos += 3;
            if (caplen > size - pos)
                caplen = size - pos;
            u_char *pkt = malloc(caplen ? caplen : 1);
            memcpy(pkt, data + pos, caplen);
            pos += caplen;
            struct pcap_pkthdr hdr;
            hdr.ts.tv_sec = t;
            hdr.ts.tv_usec = 0;
            t += extra & 1 ? 5 : 0;
            hdr.caplen = caplen;
            hdr.len = caplen + extra;
            nids_pcap_handler(NULL, &hdr, pkt);
            free(pkt);
        }
        nids_exit();
    }
    nids_params.pcap_desc = NULL;
    pcap_close(p);
    return 0;
}
