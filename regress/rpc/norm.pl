#!/usr/bin/perl
# norm.pl MODE FILE: an HTTP reply of regress/rpc as the tests compare it,
# on stdout. Always: the Sia header's client port and the Server header
# (they differ between runs and servers). MODE "norm" also: version
# strings, dates, counts ("group:name = N", "uptime") and Content-Length.
# MODE "subset": the first JSON array replaced by [LIST] (the test compares
# the lists themselves: list.pl).
use strict;
use warnings;

my ($mode, $file) = @ARGV;
die "usage: norm.pl exact|norm|subset FILE\n" unless defined $file;
open(my $f, '<', $file) or die "norm.pl: $file: $!\n";
binmode $f;
my $t = do { local $/; <$f> } // '';
close $f;
my ($head, $body) = split /\r\n\r\n/, $t, 2;
$body //= '';
$head =~ s/^(Sia: SIP\/2\.0\/\w+ [^\r\n]*):\d+/$1:PORT/m;
$head =~ s/^Server: [^\r\n]*/Server: SERVER/m;
if ($mode ne 'exact') {
	$head =~ s/^Content-Length: \d+/Content-Length: N/m;
	$body =~ s/"(?:kamailio|sipvm) [^"]*"/"VERSION"/g;
	$body =~ s/"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}"/"DATE"/g;
	$body =~ s/("uptime":\t?)\d+/${1}N/g;
	$body =~ s/ = \d+"/ = N"/g;
}
$body =~ s/\[[^\]]*\]/[LIST]/ if $mode eq 'subset';
print $head, "\r\n\r\n", $body;
