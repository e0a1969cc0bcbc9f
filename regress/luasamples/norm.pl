#!/usr/bin/perl
# Normalize one HTTP reply (as curl -i or session.sh wrote it: status
# line, headers, empty line, body) so that sipvm's and Kamailio's replies
# can be compared byte for byte except where they legitimately differ:
#   - the Server and Date lines are left out (product name and time);
#   - the port in "Sia: SIP/2.0/TCP 127.0.0.1:PORT" (the client's
#     ephemeral port, which xhttp copies from the Via it adds) becomes
#     "PORT";
#   - the shared-memory figures of the statistics page become "N" (they
#     depend on the memory manager);
#   - Content-Length becomes "LEN" when it is the body's true length, and
#     stays with "(WRONG: body has N bytes)" appended when it is not.
# Line ends are kept as they came (a "\r" missing shows in the diff).
#
#   perl norm.pl FILE
use strict;
use warnings;

local $/;
my $f = shift // die "usage: norm.pl FILE\n";
open(my $fh, '<:raw', $f) or die "norm.pl: $f: $!\n";
my $in = <$fh> // '';
close $fh;
binmode STDOUT;

my $end = index($in, "\r\n\r\n");
if ($end < 0) {
	print "NO HEAD END: $in";
	exit 0;
}
my $head = substr($in, 0, $end + 2);
my $body = substr($in, $end + 4);
my $out = '';
while ($head =~ /([^\n]*?)(\r?\n)/g) {
	my ($line, $eol) = ($1, $2);
	next if $line =~ /^(Server|Date)[ \t]*:/i;
	$line =~ s/^(Sia:[ \t]*SIP\/2\.0\/(?:TCP|UDP|TLS)[ \t]+127\.0\.0\.1:)\d+/${1}PORT/i;
	if ($line =~ /^(Content-Length[ \t]*:[ \t]*)(\d+)$/i) {
		$line = $2 == length($body) ? "${1}LEN" : "$line (WRONG: body has " . length($body) . " bytes)";
	}
	$out .= $line . $eol;
}
$body =~ s#(<td>shared memory (?:used|free)</td><td>)\d+#${1}N#g;
print $out, "\r\n", $body;
