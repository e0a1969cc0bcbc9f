#!/usr/bin/perl
# list.pl GOLDEN GOT: the strings of the first JSON array of reply GOT are
# sorted (strcmp), without duplicates, and each is in the first array of
# GOLDEN. Exit 0, or 1 naming what is wrong on stderr.
use strict;
use warnings;

sub names {
	my ($file) = @_;
	open(my $f, '<', $file) or die "list.pl: $file: $!\n";
	my $t = do { local $/; <$f> } // '';
	my ($a) = $t =~ /\[([^\]]*)\]/ or return ();
	return $a =~ /"([^"]*)"/g;
}

my %known = map { $_ => 1 } names($ARGV[0]);
my @got = names($ARGV[1]);
my $bad = 0;
for my $i (0 .. $#got) {
	if (!$known{$got[$i]}) {
		print STDERR "list.pl: $got[$i] is not in $ARGV[0]\n";
		$bad = 1;
	}
	if ($i > 0 && ($got[$i - 1] cmp $got[$i]) >= 0) {
		print STDERR "list.pl: $got[$i - 1] before $got[$i]\n";
		$bad = 1;
	}
}
if (!@got) {
	print STDERR "list.pl: no list in $ARGV[1]\n";
	$bad = 1;
}
exit $bad;
