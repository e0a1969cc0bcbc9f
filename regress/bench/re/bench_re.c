/*
 * bench_re.c — vm_re_match (vm/vm_re.c) against glibc's regexec on
 * patterns read from stdin, one a line, compiled as `=~` does (REG_EXTENDED
 * | REG_NOSUB | REG_ICASE), each run on the same SIP-like subjects. Prints
 * per pattern the CPU ns per match of both and how our matcher ran it, then
 * the totals. Every answer is compared too: a disagreement is printed and
 * makes the exit status 1. Built and run by run.sh.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm.h"

static const char *const subjects[] = {
	"sip:alice@example.com", "sip:+493012345678@proxy.example.com;user=phone",
	"tel:+4930123456", "sip:0049301234@10.0.0.1:5060;transport=udp",
	"INVITE", "REGISTER", "OPTIONS", "200", "183", "486",
	"friendly-scanner", "Linphone/3.6.1 (eXosip2/4.1.0)",
	"SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK776asdhds;rport",
	"<sip:bob@biloxi.example.com>;tag=a6c85cf",
	"m=audio 49170 RTP/AVP 0 8 97", "b=AS:64", "websocket",
	"Security-Client: ipsec-3gpp; alg=hmac-sha-1-96; spi-c=1234",
	"a-rather-long-header-value-without-anything-interesting-in-it-at-all",
	"",
};

#define NSUBJ (sizeof subjects / sizeof subjects[0])

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(void)
{
	char line[1024], msg[256];
	double tot_ours = 0, tot_glibc = 0;
	int npat = 0, nbad = 0, rounds = 300;
	volatile int sink = 0;

	printf("%10s %10s  %s\n", "ours ns", "regexec ns", "pattern");
	while (fgets(line, sizeof line, stdin) != NULL) {
		size_t n = strcspn(line, "\n"), k;
		regex_t rx;
		vm_re *re;
		double t0, to, tg;
		int r;

		line[n] = '\0';
		if (regcomp(&rx, line, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0)
			continue;
		if (vm_re_compile(&re, line, n, VM_RE_F_ICASE, msg, sizeof msg) != 0) {
			printf("compile differs: %s\n", line);
			nbad++;
			regfree(&rx);
			continue;
		}
		for (k = 0; k < NSUBJ; k++)
			if ((regexec(&rx, subjects[k], 0, NULL, 0) == 0) !=
			    vm_re_match(re, subjects[k], strlen(subjects[k]))) {
				printf("differ: /%s/ on \"%s\"\n", line, subjects[k]);
				nbad++;
			}
		t0 = cpu_ns();
		for (r = 0; r < rounds; r++)
			for (k = 0; k < NSUBJ; k++)
				sink += vm_re_match(re, subjects[k], strlen(subjects[k]));
		to = (cpu_ns() - t0) / (rounds * (double)NSUBJ);
		t0 = cpu_ns();
		for (r = 0; r < rounds; r++)
			for (k = 0; k < NSUBJ; k++)
				sink += regexec(&rx, subjects[k], 0, NULL, 0) == 0;
		tg = (cpu_ns() - t0) / (rounds * (double)NSUBJ);
		printf("%10.1f %10.1f  %s\n", to, tg, line);
		tot_ours += to;
		tot_glibc += tg;
		npat++;
		regfree(&rx);
		vm_re_free(re);
	}
	(void)sink;
	if (npat > 0)
		printf("%d patterns x %zu subjects: mean %.1f ns per match (ours), "
		       "%.1f ns (regexec), x%.1f; %d disagreements\n", npat, NSUBJ,
		       tot_ours / npat, tot_glibc / npat,
		       tot_glibc / (tot_ours > 0 ? tot_ours : 1), nbad);
	return nbad != 0;
}
