#!/usr/bin/perl
# A raw SIP/HTTP client for the end-to-end tests: sends the bytes of each
# FILE as they are and prints the bytes of every reply as they came back.
#
#   perl wire.pl [-s SRCPORT] [-h HOST] [-t SECS] [-n N] [-c FILE] [-w SECS]
#                [-P] [-k BYTES] udp|tcp PORT FILE...
#
# udp: each FILE is one datagram sent from one socket (bound to SRCPORT
#      when given, so replies sent to a Via naming that port come back);
#      each datagram received is one reply.
# tcp: one connection for all FILEs; FILE k+1 is sent once the reply to
#      FILE k has arrived (-P: all at once, pipelined). A reply is framed
#      by its head (up to the empty line) and Content-Length; a reply
#      without Content-Length ends at the end of the connection.
# -n N   replies to wait for (default: one per FILE); with 0, wait -t
#        seconds and expect nothing.
# -t S   seconds to wait for each reply (default 2).
# -c F   (tcp) after the replies, wait up to -w seconds (default: -t) for
#        the server to close the connection; write "closed" or "open" to F.
# -k N   (tcp) write each FILE in pieces of N bytes, 10 ms apart (with
#        TCP_NODELAY: each piece its own segment), as a slow client would.
# Exit status: 0 when exactly N replies came, 1 when fewer (or, with -n 0,
# any), 2 on a usage or socket error.
#
# session.pl loads this file for Wire::exchange (no new perl per request).
# Perl core modules only: prove needs perl, so every test machine has it.
use strict;
use warnings;

package Wire;
use Socket qw(IPPROTO_TCP TCP_NODELAY SOL_SOCKET SO_REUSEADDR AF_INET SOCK_DGRAM
	SOCK_STREAM inet_aton pack_sockaddr_in);
use IO::Select;
use Time::HiRes qw(usleep);

# slurp FILE: its bytes (dies when it cannot be read)
sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or die "wire.pl: $f: $!\n";
	local $/;
	my $d = <$fh>;
	close $fh;
	return $d // '';
}

# socket_for PROTO SRCPORT: a socket bound to 127.0.0.1:SRCPORT (0: any)
sub socket_for {
	my ($proto, $src) = @_;
	my $s;
	socket($s, AF_INET, $proto eq 'udp' ? SOCK_DGRAM : SOCK_STREAM, 0) or die "wire.pl: socket: $!\n";
	setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
	bind($s, pack_sockaddr_in($src // 0, inet_aton('127.0.0.1'))) or die "wire.pl: bind 127.0.0.1:" . ($src // 0) . ": $!\n";
	binmode $s;
	return $s;
}

# exchange %ARGS: send ARGS{data} (a list of byte strings) to 127.0.0.1
# (or ARGS{host}) : ARGS{port} over ARGS{proto} and collect the replies as
# described at the top (ARGS{src}, want, wait, pipelined, chunk, conn,
# closewait as the options -s -n -t -P -k -c -w). Returns (bytes of the
# replies, number of replies, "closed"/"open"/undef). Dies on socket errors.
sub exchange {
	my %a = @_;
	my @data = @{$a{data}};
	my $want = $a{want} // scalar @data;
	my $wait = $a{wait} // 2;
	my $to = pack_sockaddr_in($a{port}, inet_aton($a{host} // '127.0.0.1'));
	my $s = socket_for($a{proto}, $a{src});
	my $sel = IO::Select->new($s);
	my ($out, $got) = ('', 0);

	if ($a{proto} eq 'udp') {
		for my $d (@data) {
			defined send($s, $d, 0, $to) or die "wire.pl: send: $!\n";
		}
		# with want 0, wait the whole time; else until want replies or a quiet wait
		while ($want == 0 || $got < $want) {
			last unless $sel->can_read($wait);
			defined recv($s, my $buf, 65535, 0) or last;
			$out .= $buf;
			$got++;
		}
		close $s;
		return ($out, $got, undef);
	}

	connect($s, $to) or die "wire.pl: connect to port $a{port}: $!\n";
	setsockopt($s, IPPROTO_TCP, TCP_NODELAY, 1);
	my ($buf, $eof) = ('', 0);
	# fill: read what came within $wait into $buf; false on timeout or end
	my $fill = sub {
		my ($secs) = @_;
		return 0 if $eof;
		return 0 unless $sel->can_read($secs // $wait);
		my $n = sysread($s, my $chunk, 65536);
		if (!$n) { $eof = 1; return 0; }
		$buf .= $chunk;
		return 1;
	};
	# put: write one request, whole or in chunk-byte pieces
	my $put = sub {
		my ($d) = @_;
		my $step = $a{chunk} || length($d) || 1;
		for (my $i = 0; $i < length $d; $i += $step) {
			usleep(10000) if $i;
			my $piece = substr($d, $i, $step);
			while (length $piece) {
				my $n = syswrite($s, $piece);
				die "wire.pl: write: $!\n" unless defined $n;
				substr($piece, 0, $n) = '';
			}
		}
	};
	# one_reply: move one framed reply from $buf to $out; false when none
	# came whole (what came is moved all the same)
	my $one_reply = sub {
		my $end;
		while (($end = index($buf, "\r\n\r\n")) < 0) {
			$fill->() or do { $out .= $buf; $buf = ''; return 0 };
		}
		my $hlen = $end + 4;
		my $head = substr($buf, 0, $hlen);
		my $len;
		$len = $2 if $head =~ /\r\n(Content-Length|l)[ \t]*:[ \t]*(\d+)/i;
		if (!defined $len) {
			if ($head =~ /^HTTP\//) {
				1 while $fill->();
				$len = length($buf) - $hlen;
			} else {
				$len = 0;
			}
		}
		while (length($buf) < $hlen + $len) {
			$fill->() or last;
		}
		my $whole = length($buf) >= $hlen + $len;
		my $take = $whole ? $hlen + $len : length($buf);
		$out .= substr($buf, 0, $take);
		substr($buf, 0, $take) = '';
		return $whole;
	};

	if ($a{pipelined}) {
		$put->(join('', @data));
	} else {
		for my $d (@data) {
			$put->($d);
			last if $want == 0 || !$one_reply->();
			$got++;
		}
	}
	while ($want > 0 && $got < $want && $one_reply->()) { $got++; }
	if ($want == 0) {
		# nothing expected: anything within the wait is a reply too many
		$fill->();
		if (length $buf) { $out .= $buf; $buf = ''; $got++; }
	}
	my $conn;
	if ($a{conn}) {
		1 while !$eof && $fill->($a{closewait} // $wait);
		$out .= $buf;
		$conn = $eof ? 'closed' : 'open';
	}
	close $s;
	return ($out, $got, $conn);
}

package main;

# the command line, when run as a script (not when session.pl loads it)
unless (caller) {
	require Getopt::Std;
	my %o;
	my $usage = "usage: wire.pl [-s SRCPORT] [-h HOST] [-t SECS] [-n N] [-c FILE] [-w SECS] [-P] [-k BYTES] udp|tcp PORT FILE...\n";
	Getopt::Std::getopts('s:h:t:n:c:w:Pk:', \%o) or do { print STDERR $usage; exit 2 };
	my ($proto, $port, @files) = @ARGV;
	unless (defined $port && @files && $proto =~ /^(udp|tcp)$/) { print STDERR $usage; exit 2 }
	my ($out, $got, $conn);
	my $want = $o{n} // scalar @files;
	eval {
		($out, $got, $conn) = Wire::exchange(proto => $proto, port => $port, host => $o{h},
			src => $o{s}, want => $want, wait => $o{t}, pipelined => $o{P}, chunk => $o{k},
			conn => defined $o{c}, closewait => $o{w}, data => [map { Wire::slurp($_) } @files]);
		1;
	} or do { print STDERR $@; exit 2 };
	binmode STDOUT;
	print $out;
	if (defined $o{c}) {
		open(my $fh, '>', $o{c}) or die "wire.pl: $o{c}: $!\n";
		print $fh "$conn\n";
		close $fh;
	}
	exit(($got == $want) ? 0 : 1);
}
1;
