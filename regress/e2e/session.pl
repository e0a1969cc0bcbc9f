#!/usr/bin/perl
# Send the session of golden/cases.txt to a server on 127.0.0.1:PORT, in
# order, one request after the other's reply (or, for those expecting
# none, after a second of silence), and keep what came back:
# OUTDIR/NAME.got (the reply bytes), OUTDIR/NAME.conn (tcp: "closed" or
# "open" within a second after the reply) and one line "NAME STATUS" per
# case in OUTDIR/status (0 when exactly the expected number of replies
# came, 1 otherwise).
#
# With -c, each request is followed by a GET /stats over TCP, and
# OUTDIR/counters.txt gets, per case, what that request added to the
# page's counters:
#
#   NAME RCV_REQUESTS RCV_REPLIES FWD_REQUESTS ERR_REQUESTS
#
# (the GET asking counts itself as a received request: that one is taken
# off; -1 when a page could not be read). Differences between two servers
# then show per request instead of piling up on every later page.
#
# capture.sh runs both against Kamailio 5.6.3 (the golden files);
# 10-golden.t and 15-counters.t against sipvm.
#
#   perl regress/e2e/session.pl [-c] PORT OUTDIR
use strict;
use warnings;
use File::Basename qw(dirname);

my $here = dirname(__FILE__);
require "$here/wire.pl";

my $counters = 0;
if (@ARGV && $ARGV[0] eq '-c') { $counters = 1; shift; }
my ($port, $out) = @ARGV;
die "usage: session.pl [-c] PORT OUTDIR\n" unless defined $out;
mkdir $out unless -d $out;

# spit FILE BYTES: write BYTES to FILE
sub spit {
	my ($f, $d) = @_;
	open(my $fh, '>:raw', $f) or die "session.pl: $f: $!\n";
	print $fh $d;
	close $fh;
}

my @names = ('received requests', 'received replies', 'forwarded requests', 'bad requests');
# page: the four counters of the stats page now (-1 for each one missing)
sub page {
	my ($bytes) = eval {
		Wire::exchange(proto => 'tcp', port => $port, wait => 3,
			data => ["GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]);
	};
	$bytes //= '';
	return map { $bytes =~ /<td>$_<\/td><td>(\d+)</ ? $1 : -1 } @names;
}

my (@status, @lines);
my @prev = $counters ? page() : ();
open(my $cases, '<', "$here/golden/cases.txt") or die "session.pl: cases.txt: $!\n";
while (my $line = <$cases>) {
	next if $line =~ /^#/ || $line !~ /\S/;
	my ($name, $proto, $src, $n, $opts) = split ' ', $line;
	my %wire;
	$wire{chunk} = $1 if $opts =~ /-k(\d+)/;
	$wire{pipelined} = 1 if $opts =~ /-P/;
	my ($bytes, $got, $conn) = eval {
		Wire::exchange(%wire, proto => $proto, port => $port, src => $src, want => $n,
			wait => $n == 0 ? 1 : 2, conn => $proto eq 'tcp', closewait => 1,
			data => [Wire::slurp("$here/golden/$name.req")]);
	};
	if (!defined $bytes) {
		print STDERR "session.pl: $name: $@";
		($bytes, $got, $conn) = ('', -1, 'error');
	}
	spit("$out/$name.got", $bytes);
	spit("$out/$name.conn", "$conn\n") if defined $conn;
	push @status, "$name " . ($got == $n ? 0 : 1) . "\n";
	next unless $counters;
	my @now = page();
	my @d = map { ($now[$_] < 0 || $prev[$_] < 0) ? -1 : $now[$_] - $prev[$_] - ($_ == 0 ? 1 : 0) } 0 .. 3;
	push @lines, "$name @d\n";
	@prev = @now;
}
close $cases;
spit("$out/status", join('', @status));
spit("$out/counters.txt", join('', @lines)) if $counters;
