/*
 * libFuzzer harness: input byte 0 is a set of FZ_* flags, the rest a capture
 * file (pcap or pcapng) that libpcap reads and libnids processes with every
 * callback registered, as a jnids session does with a file.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned flags = data[0];
    FILE *f = fmemopen((void *)(data + 1), size - 1, "rb");
    if (!f)
        return 0;
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_fopen_offline(f, errbuf); /* owns f from here on */
    if (!p) {
        fclose(f);
        return 0;
    }
    fz_configure(flags, p);
    if (fz_before_init)
        fz_before_init();
    if (nids_init()) {
        fz_register();
        if (fz_after_init)
            fz_after_init();
        while (pcap_dispatch(p, -1, fz_exact_handler, NULL) > 0)
            ;
        nids_exit();
    }
    nids_params.pcap_desc = NULL;
    pcap_close(p);
    return 0;
}
