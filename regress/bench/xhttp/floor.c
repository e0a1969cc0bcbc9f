/*
 * floor.c — the least a server can do for the xhttp benchmark: one thread,
 * level-triggered epoll, one recv() per readable connection, one send() of
 * a fixed reply per request (the same size and shape as the statistics
 * page of xhttp.cfg, its counters frozen). No parsing beyond counting
 * the blank lines that end requests, no routing, no statistics: what is
 * left is the kernel's part of a request (epoll, recv, send over
 * loopback, the wake-ups), which every server pays. run.sh measures it
 * beside Kamailio and sipvm as the floor of the CPU per request.
 *
 *   floor PORT          (127.0.0.1:PORT; "floor: ready" on stderr)
 *
 * A request holding "Connection: close" is answered with that header and
 * the connection closed, as xhttp.cfg does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXFD 4096

#define PAGE "<html><body><table>" \
	"<tr><td>received requests</td><td>1000000</td></tr>" \
	"<tr><td>received replies</td><td>0</td></tr>" \
	"<tr><td>forwarded requests</td><td>0</td></tr>" \
	"<tr><td>bad requests</td><td>0</td></tr>" \
	"<tr><td>shared memory used</td><td>1900000</td></tr>" \
	"<tr><td>shared memory free</td><td>65000000</td></tr>" \
	"</table></body></html>\n"

static char keep[1024], close_[1024];
static size_t keep_len, close_len;
static unsigned char state[MAXFD];   /* blank-line scanner, per connection */
static char buf[65536];

/* Requests ended in p[0..n) (a "\r\n\r\n" each); *st carries a partial
 * terminator across reads. */
static int requests(const char *p, size_t n, unsigned char *st)
{
	int c = 0;
	unsigned s = *st;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r') {
			s = s == 2 ? 3 : 1;
		} else if (p[i] == '\n' && s == 3) {
			c++;
			s = 0;
		} else {
			s = p[i] == '\n' && s == 1 ? 2 : 0;
		}
	}
	*st = (unsigned char)s;
	return c;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 5070, one = 1;
	const char *fmt = "HTTP/1.1 200 OK\r\nSia: SIP/2.0/TCP 127.0.0.1:1\r\n%s"
		"Server: floor\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n\r\n%s";
	keep_len = (size_t)snprintf(keep, sizeof(keep), fmt, "", strlen(PAGE), PAGE);
	close_len = (size_t)snprintf(close_, sizeof(close_), fmt, "Connection: close\r\n",
			strlen(PAGE), PAGE);

	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
		.sin_addr.s_addr = htonl(0x7f000001) };
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1024) < 0) {
		perror("floor: 127.0.0.1");
		return 1;
	}
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls }, evs[64];
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	fprintf(stderr, "floor: ready\n");
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, c;
			if (fd == ls) {
				while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					if (c >= MAXFD) {
						close(c);
						continue;
					}
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					state[c] = 0;
					struct epoll_event e = { .events = EPOLLIN, .data.fd = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
				}
				continue;
			}
			ssize_t r = recv(fd, buf, sizeof(buf), 0);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0) {
				close(fd);
				continue;
			}
			int q = requests(buf, (size_t)r, &state[fd]);
			int closing = q > 0 && memmem(buf, (size_t)r, "Connection: close", 17) != NULL;
			for (int k = 0; k < q; k++) {
				const char *p = closing ? close_ : keep;
				size_t len = closing ? close_len : keep_len;
				if (send(fd, p, len, MSG_NOSIGNAL) != (ssize_t)len)
					closing = 1;
			}
			if (closing)
				close(fd);
		}
	}
}
