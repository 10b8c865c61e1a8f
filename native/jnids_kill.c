/*
 * Connection killing without libnet: two forged RST segments, one to each end,
 * sent on a raw socket with the sequence numbers each end expects next.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nids.h>

#include "jnids.h"

void jnids_set_kill_error(jnids_session *s, const char *message);

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t add_words(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)(p[len - 1] << 8);
    return sum;
}

static int send_rst(int fd, u_int saddr, u_short sport, u_int daddr, u_short dport, u_int seq)
{
    struct {
        struct ip ip;
        struct tcphdr tcp;
    } pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.ip.ip_v = 4;
    pkt.ip.ip_hl = 5;
    pkt.ip.ip_len = htons(sizeof pkt);
    pkt.ip.ip_ttl = 64;
    pkt.ip.ip_p = IPPROTO_TCP;
    pkt.ip.ip_src.s_addr = saddr;
    pkt.ip.ip_dst.s_addr = daddr;
    pkt.ip.ip_sum = htons(fold(add_words(0, &pkt.ip, sizeof pkt.ip)));

    pkt.tcp.th_sport = htons(sport);
    pkt.tcp.th_dport = htons(dport);
    pkt.tcp.th_seq = htonl(seq);
    pkt.tcp.th_off = 5;
    pkt.tcp.th_flags = TH_RST;
    pkt.tcp.th_win = htons(32000);
    struct {
        u_int src, dst;
        uint8_t zero, proto;
        uint16_t len;
    } pseudo = { saddr, daddr, 0, IPPROTO_TCP, htons(sizeof pkt.tcp) };
    uint32_t sum = add_words(0, &pseudo, sizeof pseudo);
    pkt.tcp.th_sum = htons(fold(add_words(sum, &pkt.tcp, sizeof pkt.tcp)));

    struct sockaddr_in to;
    memset(&to, 0, sizeof to);
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = daddr;
    return sendto(fd, &pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)sizeof pkt ? 0 : -1;
}

int jnids_kill(jnids_session *s, struct tcp_stream *a_tcp)
{
    if (a_tcp->ipv6) {
        jnids_set_kill_error(s, "cannot reset an IPv6 connection: killing is implemented for IPv4 streams only");
        return -1;
    }
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot open a raw socket to reset the connection: %s%s", strerror(errno),
                 errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
        jnids_set_kill_error(s, msg);
        return -1;
    }
    /* The server half holds what the client sent: the server expects the
     * client's next byte at first_data_seq + count (+ urgent bytes), and the
     * other way round. */
    const struct tuple4 *a = &a_tcp->addr;
    u_int to_server = a_tcp->client.first_data_seq + a_tcp->server.count + a_tcp->server.urg_count;
    u_int to_client = a_tcp->server.first_data_seq + a_tcp->client.count + a_tcp->client.urg_count;
    int rc = send_rst(fd, a->saddr, a->source, a->daddr, a->dest, to_server);
    if (rc == 0)
        rc = send_rst(fd, a->daddr, a->dest, a->saddr, a->source, to_client);
    if (rc < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "cannot send the reset segments: %s", strerror(errno));
        jnids_set_kill_error(s, msg);
    }
    close(fd);
    return rc;
}
