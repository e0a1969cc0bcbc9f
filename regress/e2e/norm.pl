#!/usr/bin/perl
# Normalize the replies in FILE (as wire.pl printed them: one or more SIP
# or HTTP messages, framed by Content-Length) so that two servers' answers
# can be compared byte for byte except where they may differ:
#   - the Server, User-Agent and Date header lines are left out;
#   - with -t, a To-tag of the form Kamailio's sl module makes (32 hex
#     digits, a dot, 8 hex digits) becomes "TOTAG" (its first part is an
#     MD5 of the first listening socket, so it differs between servers on
#     different ports; sipvm otherwise computes it as Kamailio does);
#   - the stats page's shared-memory figures become "N";
#   - Content-Length then gives the length of the normalized body, when
#     the original value was the body's true length; when it was not, the
#     line is kept and "(WRONG: body has N bytes)" appended to it.
# Bytes after the last whole message are printed as "TRAILING: " + them.
#
#   perl norm.pl [-t] FILE                 the normalized text on stdout
#   perl norm.pl [-t] -d DIR FILE...       each into DIR/<its file name>
use strict;
use warnings;

my $tags = 0;

# norm BYTES: the normalized text of the replies in BYTES
sub norm {
	my ($in) = @_;
	my $res = '';
	while (length $in) {
		my $end = index($in, "\r\n\r\n");
		if ($end < 0) {
			$res .= "TRAILING: $in";
			last;
		}
		my $head = substr($in, 0, $end + 2);
		my $len;
		$len = $2 if $head =~ /\r\n(Content-Length|l)[ \t]*:[ \t]*(\d+)\r\n/i;
		my $rest = length($in) - ($end + 4);
		my $blen = defined $len ? ($len <= $rest ? $len : $rest) : ($head =~ /^HTTP\// ? $rest : 0);
		my $body = substr($in, $end + 4, $blen);
		$in = substr($in, $end + 4 + $blen);

		$body =~ s#(<td>shared memory (?:used|free)</td><td>)\d+#${1}N#g;
		# line by line, each with its own end (a server may copy LF-only
		# lines of the request into its reply)
		my $out = '';
		while ($head =~ /([^\n]*?)(\r?\n)/g) {
			my ($line, $eol) = ($1, $2);
			next if $line =~ /^(Server|User-Agent|Date)[ \t]*:/i;
			if ($tags && $line =~ /^(To|t)[ \t]*:/i) {
				$line =~ s/;tag=[0-9a-f]{32}\.[0-9a-f]{8}(?=;|$|[ \t])/;tag=TOTAG/;
			}
			if ($line =~ /^(Content-Length|l)([ \t]*:[ \t]*)(\d+)$/i) {
				if (defined $len && $len == $blen) {
					$line = "$1$2" . length($body);
				} else {
					$line .= " (WRONG: body has $blen bytes)";
				}
			}
			$out .= $line . $eol;
		}
		$res .= $out . "\r\n" . $body;
	}
	return $res;
}

# slurp FILE: its bytes
sub slurp {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or die "norm.pl: $f: $!\n";
	local $/;
	my $d = <$fh> // '';
	close $fh;
	return $d;
}

my $usage = "usage: norm.pl [-t] FILE | norm.pl [-t] -d DIR FILE...\n";
my $dir;
while (@ARGV && $ARGV[0] =~ /^-/) {
	my $o = shift;
	if ($o eq '-t') { $tags = 1; }
	elsif ($o eq '-d') { $dir = shift // die $usage; }
	else { die $usage; }
}
die $usage unless @ARGV && (defined $dir || @ARGV == 1);
if (!defined $dir) {
	binmode STDOUT;
	print norm(slurp($ARGV[0]));
	exit 0;
}
for my $f (@ARGV) {
	(my $name = $f) =~ s#.*/##;
	open(my $fh, '>:raw', "$dir/$name") or die "norm.pl: $dir/$name: $!\n";
	print $fh norm(slurp($f));
	close $fh;
}
