/*
 * nidstest: the reference the example programs' expected outputs come from.
 *
 * It does in C, on the same static libnids and libpcap that jnids bundles,
 * what examples/NidsTest.java (nidstest.py), NidsStream.java (nidsstream.py)
 * and Example.java (pynids' Example) do, and prints what they print:
 *
 *   nidstest [-m nidstest|nidsstream|example] [-s] CAPTURE
 *
 * The capture is opened the way jnids' Nids.init() opens it (pcap_open_offline,
 * then handed to libnids as nids_params.pcap_desc) and read the way Nids.run()
 * reads it (pcap_dispatch to the end of the file, then nids_exit(), which
 * reports the streams still open as NIDS_EXITING). Where the programs report a
 * failure, this prints the same line:
 *   - a capture that cannot be read to its end: the packets before the damage
 *     are processed, the session ends, then the programs' "[-] Error: ..." (or
 *     Example's "nids/pcap error: ...") line with NidsException's message
 *     for it: "error reading capture 'F' after packet N: <libpcap's reason>
 *     (the packets before it were processed and the session ended)";
 *   - a capture that cannot be opened: nothing on stdout, a message on
 *     stderr, exit status 1 (the programs call init() outside their try, so
 *     the exception ends them with status 1).
 * Example's "pid N" line carries this process's pid, as the programs' does.
 *
 * -s makes Example's output stable from run to run, for comparisons: the pid
 * line reads "pid N", and the NIDS_EXITING lines, which libnids delivers in
 * the order of its randomly keyed stream hash table (hash.c seeds it from the
 * clock), are printed sorted (byte order). The tests apply the same two
 * changes to what the Java programs print before comparing.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap.h>
#include <nids.h>

enum mode { NIDSTEST, NIDSSTREAM, EXAMPLE };

static enum mode mode = NIDSTEST;
static int stable;
static long packets;

/* With -s: Example's NIDS_EXITING lines, printed sorted after nids_exit(). */
static char **exiting;
static size_t n_exiting, cap_exiting;

static void keep_exiting(const char *line)
{
    if (n_exiting == cap_exiting) {
        cap_exiting = cap_exiting ? 2 * cap_exiting : 64;
        exiting = realloc(exiting, cap_exiting * sizeof *exiting);
        if (!exiting) {
            perror("nidstest");
            exit(3);
        }
    }
    if (!(exiting[n_exiting++] = strdup(line))) {
        perror("nidstest");
        exit(3);
    }
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_exiting(void)
{
    qsort(exiting, n_exiting, sizeof *exiting, by_bytes);
    for (size_t i = 0; i < n_exiting; i++) {
        fputs(exiting[i], stdout);
        free(exiting[i]);
    }
    free(exiting);
    exiting = NULL;
    n_exiting = cap_exiting = 0;
}

/* The addresses as jnids' Tuple4 fields give them: dotted quads, host-order ports. */
static void ip(char *out, size_t n, u_int addr)
{
    struct in_addr a;
    a.s_addr = addr;
    snprintf(out, n, "%s", inet_ntoa(a));
}

/*
  A stream's addresses and ports as Tuple4 gives them: an IPv6 stream's
  (addr6, the patched libnids' nids.h) as inet_ntop() writes them, RFC 5952
  text for the addresses of the captures here.
*/
static void stream_addrs(const struct tcp_stream *t, char *s, char *d, size_t n, int *sport, int *dport)
{
    if (t->ipv6) {
        inet_ntop(AF_INET6, t->addr6.saddr, s, n);
        inet_ntop(AF_INET6, t->addr6.daddr, d, n);
        *sport = t->addr6.source;
        *dport = t->addr6.dest;
        return;
    }
    ip(s, n, t->addr.saddr);
    ip(d, n, t->addr.daddr);
    *sport = t->addr.source;
    *dport = t->addr.dest;
}

/* Python's data[:n] on what libnids holds for a direction (count - offset bytes). */
static int held(const struct half_stream *h)
{
    int have = h->count - h->offset;
    return have < 0 ? 0 : have;
}

static int up_to(int have, int n)
{
    return have < n ? have : n;
}

static int is_end_state(int s)
{
    return s == NIDS_CLOSE || s == NIDS_TIMED_OUT || s == NIDS_RESET;
}

/* "[+] src:sport - dst:dport (CTS: nB | STC: nB)", as nidstest.py prints it. */
static void summary_line(struct tcp_stream *t)
{
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
    int sport, dport;
    stream_addrs(t, s, d, sizeof s, &sport, &dport);
    printf("[+] %s:%d - %s:%d (CTS: %dB | STC: %dB)\n", s, sport, d, dport,
           up_to(held(&t->server), t->server.count), up_to(held(&t->client), t->client.count));
}

/* Python 2's print of a str: the bytes, then a newline. */
static void print_bytes(const char *data, int n)
{
    if (n > 0)
        fwrite(data, 1, (size_t)n, stdout);
    putchar('\n');
}

/* tcp.addr as Tuple4.toString() prints it: ((src, sport), (dst, dport)). */
static void format_addr(char *out, size_t n, struct tcp_stream *t)
{
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
    int sport, dport;
    stream_addrs(t, s, d, sizeof s, &sport, &dport);
    snprintf(out, n, "((%s, %d), (%s, %d))", s, sport, d, dport);
}

static void print_addr(struct tcp_stream *t)
{
    char a[128];
    format_addr(a, sizeof a, t);
    fputs(a, stdout);
}

/* nidstest.py's and nidsstream.py's tcpcallback. */
static void tcp_callback(struct tcp_stream *t, void **param)
{
    (void)param;
    if (t->nids_state == NIDS_JUST_EST) {
        t->client.collect++;
        t->server.collect++;
    } else if (t->nids_state == NIDS_DATA) {
        nids_discard(t, 0);
    } else if (is_end_state(t->nids_state)) {
        summary_line(t);
        if (mode == NIDSSTREAM) {
            putchar('\n');
            print_bytes(t->server.data, up_to(held(&t->server), 300));
            print_bytes(t->client.data, up_to(held(&t->client), 300));
        }
    }
}

/* pynids Example's handleTcpStream. */
static void handle_tcp_stream(struct tcp_stream *t, void **param)
{
    (void)param;
    char a[128], line[192];
    format_addr(a, sizeof a, t);
    snprintf(line, sizeof line, "tcps - %s  state: %d\n", a, t->nids_state);
    if (stable && t->nids_state == NIDS_EXITING)
        keep_exiting(line);
    else
        fputs(line, stdout);
    if (t->nids_state == NIDS_JUST_EST) {
        print_addr(t);
        putchar('\n');
        int dport = t->addr.dest;
        if (dport == 80 || dport == 8000 || dport == 8080) {
            printf("collecting...\n");
            t->client.collect++;
            t->server.collect++;
        }
    } else if (t->nids_state == NIDS_DATA) {
        nids_discard(t, 0);
    } else if (is_end_state(t->nids_state)) {
        printf("addr: ");
        print_addr(t);
        putchar('\n');
        printf("To server:\n");
        print_bytes(t->server.data, up_to(held(&t->server), t->server.count));
        printf("To client:\n");
        print_bytes(t->client.data, up_to(held(&t->client), t->client.count));
    }
}

/* libnids' warnings go nowhere (jnids hands them to a handler or a logger,
 * never to stdout). */
static void no_syslog(int type, int errnum, struct ip *iph, void *data)
{
    (void)type; (void)errnum; (void)iph; (void)data;
}

static void packet_handler(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    packets++;
    nids_pcap_handler(user, (struct pcap_pkthdr *)h, (u_char *)bytes);
}

static void usage(void)
{
    fprintf(stderr, "usage: nidstest [-m nidstest|nidsstream|example] [-s] CAPTURE\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "m:s")) != -1) {
        if (opt == 's') {
            stable = 1;
            continue;
        }
        if (opt != 'm')
            usage();
        if (!strcmp(optarg, "nidstest"))
            mode = NIDSTEST;
        else if (!strcmp(optarg, "nidsstream"))
            mode = NIDSSTREAM;
        else if (!strcmp(optarg, "example"))
            mode = EXAMPLE;
        else
            usage();
    }
    if (optind != argc - 1)
        usage();
    const char *filename = argv[optind];

    if (mode == EXAMPLE) {
        static struct nids_chksum_ctl all = {0, 0, NIDS_DONT_CHKSUM, 0};
        nids_params.scan_num_hosts = 0;
        nids_register_chksum_ctl(&all, 1);
    }

    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline(filename, errbuf);
    if (!p) {
        fprintf(stderr, "nidstest: cannot read capture '%s': %s\n", filename, errbuf);
        return 1;
    }
    nids_params.filename = (char *)filename;
    nids_params.pcap_desc = p;
    nids_params.syslog = (void (*)())no_syslog;
    if (!nids_init()) {
        fprintf(stderr, "nidstest: libnids could not start: %s\n", nids_errbuf);
        pcap_close(p);
        return 1;
    }
    nids_register_tcp((void *)(mode == EXAMPLE ? handle_tcp_stream : tcp_callback));
    if (mode == EXAMPLE) {
        if (stable)
            printf("pid N\n");
        else
            printf("pid %d\n", (int)getpid());
    }

    int r;
    while ((r = pcap_dispatch(p, -1, packet_handler, NULL)) > 0)
        ;
    char why[PCAP_ERRBUF_SIZE + 1] = "";
    if (r < 0)
        snprintf(why, sizeof why, "%s", pcap_geterr(p));
    nids_exit();
    pcap_close(p);
    print_exiting();
    if (r < 0) {
        printf("%serror reading capture '%s' after packet %ld: %s"
               " (the packets before it were processed and the session ended)\n",
               mode == EXAMPLE ? "nids/pcap error: " : "[-] Error: ", filename, packets, why);
    }
    fflush(stdout);
    return 0;
}
