/*
 * Checksum-offload detection: which packets of a capture carry wrong TCP/UDP
 * (and IP header) checksums only because the capturing host's network card
 * was to fill them in after the capture point, so that libnids, which drops
 * packets with wrong checksums, can be told to keep them.
 *
 * The rule, from captures taken on sending hosts (Linux, Windows, VirtualBox
 * guests):
 *
 *  1. Signature, per packet. With offloading the stack leaves in the TCP/UDP
 *     checksum field the folded sum of the pseudo header (addresses, protocol,
 *     length; without the length for segmentation-offloaded segments larger
 *     than the MTU), for the card to complete. A packet whose checksum is
 *     wrong but whose field holds exactly that sum is offloaded: random
 *     damage gives that value once in 65536. Its IP header checksum must be
 *     right or 0 (Windows offloads that one too and leaves 0). Over IPv6
 *     (when libnids reads it) the pseudo header is IPv6's and there is no
 *     header checksum; IPv6 senders are told apart by their 16-byte address.
 *  2. Share, per sender. Offloading that leaves another value is recognised
 *     by its extent: once JNIDS_OFFLOAD_MIN_PACKETS of a sender's packets
 *     have been examined (its first JNIDS_OFFLOAD_EXAMINED TCP/UDP packets
 *     are) and at least JNIDS_OFFLOAD_SHARE_PERCENT of them had a wrong
 *     checksum with an IP header that is right or 0, the sender is exempted
 *     for the rest of the capture. Damage in transit hits a few packets, not
 *     most of a host's: such packets are still verified, and dropped.
 *
 * So that a sender's first packets (its SYN) are not lost before rule 2 has
 * decided, the first JNIDS_OFFLOAD_LOOKAHEAD packets of a capture file are
 * examined before libnids sees any (the file is read a second time; pipes and
 * live captures decide as packets come).
 *
 * A packet is exempted by handing libnids a checksum-control list naming its
 * sender for that packet only; other packets get the list of the library's
 * user (chksumCtl). Packets that are IP fragments are exempted only by rule 2.
 *
 * Exempting trades a defence for usability: a sender that forges the
 * signature can slip in segments the receiving host would have dropped.
 * Verify everything (JNIDS_CHECKSUMS_ON) when that matters.
 */
#ifndef JNIDS_OFFLOAD_H
#define JNIDS_OFFLOAD_H

#include <stdint.h>
#include <pcap.h>
#include <nids.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Modes. */
enum {
    JNIDS_CHECKSUMS_ON = 1,   /* libnids verifies everything; offload is detected and reported only */
    JNIDS_CHECKSUMS_AUTO = 2, /* packets and senders showing offload are not verified */
    JNIDS_CHECKSUMS_OFF = 3   /* nothing is verified; packets are counted only */
};

/* The rule's constants (see above). */
enum {
    JNIDS_OFFLOAD_MIN_PACKETS = 8,
    JNIDS_OFFLOAD_SHARE_PERCENT = 75,
    JNIDS_OFFLOAD_EXAMINED = 64,
    JNIDS_OFFLOAD_LOOKAHEAD = 2000,
    JNIDS_OFFLOAD_HOSTS = 4096    /* senders tracked per capture; later ones get rule 1 only */
};

/* Summary slots filled by jnids_offload_summary(). */
enum {
    JNIDS_OFFLOAD_MODE = 0,
    JNIDS_OFFLOAD_PACKETS,        /* TCP and UDP packets seen (not fragments) */
    JNIDS_OFFLOAD_TCP_PACKETS,
    JNIDS_OFFLOAD_OFFLOADED,      /* packets showing offload: not verified (auto), dropped by libnids (on) */
    JNIDS_OFFLOAD_SIGNATURE,      /* of which with the signature of rule 1 */
    JNIDS_OFFLOAD_SENDERS,        /* senders with packets counted in OFFLOADED, or exempted */
    JNIDS_OFFLOAD_UNTRACKED,      /* packets of senders beyond JNIDS_OFFLOAD_HOSTS (rule 1 only) */
    JNIDS_OFFLOAD_SUMMARY_SLOTS
};

/* Per-sender slots filled by jnids_offload_senders(). */
enum {
    JNIDS_SENDER_ADDR = 0,        /* IPv4 address, network byte order as an int */
    JNIDS_SENDER_PACKETS,         /* its TCP and UDP packets */
    JNIDS_SENDER_OFFLOADED,       /* of which showing offload */
    JNIDS_SENDER_EXAMINED,        /* examined for rule 2 (the look-ahead's included) */
    JNIDS_SENDER_BAD,             /* of which with a wrong checksum */
    JNIDS_SENDER_EXEMPT,          /* 1 when rule 2 exempted it */
    JNIDS_SENDER_IPV6,            /* 1 for an IPv6 sender (JNIDS_SENDER_ADDR is then 0) */
    JNIDS_SENDER_ADDR6_HI,        /* its address's first 8 bytes, big-endian */
    JNIDS_SENDER_ADDR6_LO,        /* and its last 8 */
    JNIDS_SENDER_SLOTS
};

struct jnids_offload;

/* A detector for the given mode, or NULL when out of memory. It lives across
 * sessions (its report stays readable after one ends) and is reset by
 * jnids_offload_begin(). */
struct jnids_offload *jnids_offload_new(int mode);
/* Hands libnids the user's list back and frees the detector. */
void jnids_offload_free(struct jnids_offload *o);
/* The user's checksum-control list (the array stays the caller's): given to
 * libnids for every packet the detector does not exempt. */
void jnids_offload_rules(struct jnids_offload *o, struct nids_chksum_ctl *rules, int n);
/* The same for the IPv6 list: given to libnids for every IPv6 packet the
 * detector does not exempt. */
void jnids_offload_rules6(struct jnids_offload *o, struct nids_chksum_ctl6 *rules, int n);

/* Starts a capture: clears the counts, and for a regular file (filename not
 * NULL) examines its first packets. dlt is the capture's link type. */
void jnids_offload_begin(struct jnids_offload *o, int dlt, const char *filename);
/* Called for every packet just before libnids sees it. */
void jnids_offload_packet(struct jnids_offload *o, const struct pcap_pkthdr *hdr, const u_char *data);
/* Ends a capture: libnids gets the user's list back. */
void jnids_offload_end(struct jnids_offload *o);

/* Fills JNIDS_OFFLOAD_SUMMARY_SLOTS values. */
void jnids_offload_summary(struct jnids_offload *o, int64_t *out);
/* Fills up to max senders (JNIDS_SENDER_SLOTS values each) of those counted
 * in JNIDS_OFFLOAD_SENDERS, most offloaded packets first; returns how many. */
int jnids_offload_senders(struct jnids_offload *o, int64_t *out, int max);

#ifdef __cplusplus
}
#endif

#endif
