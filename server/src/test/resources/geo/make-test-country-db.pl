#!/usr/bin/perl
# Writes test-country.mmdb, the small MaxMind-format country database GeoIT uses.
# Needs Debian's libmaxmind-db-writer-perl:  apt-get install libmaxmind-db-writer-perl
# Run from this directory:                    perl make-test-country-db.pl
# The networks are documentation ranges (RFC 5737 / RFC 3849), so they can never match a real client.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my %types = (
    country  => 'map',
    iso_code => 'utf8_string',
    names    => 'map',
    en       => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 24,
    database_type         => 'GeoLite2-Country',
    languages             => ['en'],
    description           => { en => 'Relay test country database' },
    map_key_type_callback => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4    => 1,
    remove_reserved_networks => 0,    # our test networks are reserved documentation ranges
);

my %networks = (
    '203.0.113.0/24'  => [ 'FR', 'France' ],
    '198.51.100.0/24' => [ 'US', 'United States' ],
    '2001:db8:1::/48' => [ 'CN', 'China' ],
);
for my $network ( sort keys %networks ) {
    my ( $code, $name ) = @{ $networks{$network} };
    $tree->insert_network( $network, { country => { iso_code => $code, names => { en => $name } } } );
}

open my $out, '>:raw', 'test-country.mmdb' or die "cannot write test-country.mmdb: $!";
$tree->write_tree($out);
close $out;
