import { strict as assert } from 'node:assert';
import { UsageError } from '../../src/core/errors';
import { caLine } from '../../src/lab/lab-info';
import { hostNamesFromOption, planHosts } from '../../src/lab/plan-names';
import { parseSubnet } from '../../src/lab/subnet';
import {
  caConfig,
  caRenewReason,
  inventoryTls,
  labCaPath,
  leafConfig,
  leafRenewReason,
  parseAltNames,
  planLabTls,
  sameAltNames,
  type CertificateFacts,
} from '../../src/lab/tls';

const DIR = '/var/lib/foobar-infra/lab/labs/tlsdbg/tls';

function plan(hosts?: string, subnet = '10.231.9.0/24') {
  return planLabTls(
    'tlsdbg',
    DIR,
    planHosts('tlsdbg', hostNamesFromOption(hosts), parseSubnet(subnet)),
  );
}

const NOW = new Date('2026-01-01T00:00:00Z');
const LATER = new Date('2027-01-01T00:00:00Z');

describe('lab TLS plan', () => {
  it('plans a CA, the site certificate and one per database host', () => {
    const p = plan();
    assert.deepEqual(p.ca, {
      certificate: `${DIR}/ca.crt`,
      key: `${DIR}/ca.key`,
      commonName: 'foobar-infra lab tlsdbg CA',
      days: 825,
    });
    assert.deepEqual(p.site, {
      certificate: `${DIR}/site.crt`,
      key: `${DIR}/site.key`,
      label: 'site',
      commonName: 'www.foobar.com',
      altNames: ['DNS:www.foobar.com', 'IP:10.231.9.11'],
      extendedKeyUsage: ['serverAuth'],
      days: 397,
    });
    assert.deepEqual(
      p.databases.map((d) => [d.host, d.certificate, d.key, d.commonName, d.altNames]),
      [
        [
          'web-01',
          `${DIR}/web-01.crt`,
          `${DIR}/web-01.key`,
          'web-01',
          ['DNS:web-01', 'IP:10.231.9.12'],
        ],
        [
          'web-02',
          `${DIR}/web-02.crt`,
          `${DIR}/web-02.key`,
          'web-02',
          ['DNS:web-02', 'IP:10.231.9.13'],
        ],
      ],
    );
    assert.deepEqual(p.databases[0].extendedKeyUsage, ['serverAuth', 'clientAuth']);
  });

  it('a one-host lab has no database certificates', () => {
    assert.deepEqual(plan('1').databases, []);
  });

  it('refuses a database host named like the lab’s own files', () => {
    assert.throws(() => plan('lb,site'), UsageError);
    assert.throws(() => plan('lb,web-01,ca'), /may not be named "ca"/);
    // The lb makes no <host>.crt: any name is fine.
    assert.equal(plan('site,web-01').site.altNames[1], 'IP:10.231.9.11');
  });

  it('gives the inventory the paths', () => {
    assert.deepEqual(inventoryTls(plan('2')), {
      caCertificate: `${DIR}/ca.crt`,
      siteCertificate: `${DIR}/site.crt`,
      siteKey: `${DIR}/site.key`,
      databases: { 'web-01': { certificate: `${DIR}/web-01.crt`, key: `${DIR}/web-01.key` } },
    });
  });

  it('finds a lab’s CA, and the line lab up prints about it', () => {
    assert.equal(labCaPath('tlsdbg', '/r'), '/r/labs/tlsdbg/tls/ca.crt');
    assert.throws(() => labCaPath('Bad Name', '/r'), UsageError);
    assert.equal(
      caLine({
        caPath: `${DIR}/ca.crt`,
        hosts: [{ role: 'lb', address: '10.231.9.11' }] as never,
      }),
      `CA: ${DIR}/ca.crt  (curl --cacert ${DIR}/ca.crt https://10.231.9.11/)`,
    );
  });

  it('writes openssl configurations with the planned extensions', () => {
    const p = plan();
    const ca = caConfig(p.ca);
    assert.match(ca, /^CN = foobar-infra lab tlsdbg CA$/m);
    assert.match(ca, /^basicConstraints = critical, CA:true$/m);
    assert.match(ca, /^keyUsage = critical, keyCertSign, cRLSign$/m);
    const site = leafConfig(p.site);
    assert.match(site, /^subjectAltName = DNS:www\.foobar\.com, IP:10\.231\.9\.11$/m);
    assert.match(site, /^extendedKeyUsage = serverAuth$/m);
    assert.match(leafConfig(p.databases[1]), /^extendedKeyUsage = serverAuth, clientAuth$/m);
  });
});

describe('lab TLS subject alternative names', () => {
  it('parses Node’s and openssl’s forms alike', () => {
    assert.deepEqual(parseAltNames('DNS:www.foobar.com, IP Address:10.231.9.11'), [
      'DNS:www.foobar.com',
      'IP:10.231.9.11',
    ]);
    assert.deepEqual(
      parseAltNames('X509v3 Subject Alternative Name: \n    DNS:web-01, IP Address:10.231.9.12\n'),
      ['DNS:web-01', 'IP:10.231.9.12'],
    );
    assert.deepEqual(parseAltNames(''), []);
  });

  it('compares them in any order', () => {
    assert.ok(sameAltNames(['DNS:a', 'IP:1.2.3.4'], ['IP:1.2.3.4', 'DNS:a']));
    assert.ok(!sameAltNames(['DNS:a', 'IP:1.2.3.4'], ['DNS:a', 'IP:1.2.3.5']));
    assert.ok(!sameAltNames(['DNS:a'], ['DNS:a', 'IP:1.2.3.4']));
  });
});

describe('lab TLS renew decision', () => {
  const p = plan();
  const leaf = (over: Partial<CertificateFacts> = {}): CertificateFacts => ({
    commonName: 'web-01',
    altNames: ['IP:10.231.9.12', 'DNS:web-01'],
    notAfter: LATER,
    isCa: false,
    keyMatches: true,
    issuedByCa: true,
    ...over,
  });

  it('keeps a certificate that matches the plan', () => {
    assert.equal(leafRenewReason(leaf(), p.databases[0], NOW), undefined);
  });

  it('makes one again when missing, foreign, mismatched, renamed or ending', () => {
    const db = p.databases[0];
    assert.equal(leafRenewReason(undefined, db, NOW), 'missing');
    assert.match(leafRenewReason(leaf({ issuedByCa: false }), db, NOW)!, /not signed/);
    assert.match(leafRenewReason(leaf({ keyMatches: false }), db, NOW)!, /key does not match/);
    assert.match(
      leafRenewReason(leaf({ altNames: ['DNS:web-01', 'IP:10.231.0.12'] }), db, NOW)!,
      /names DNS:web-01, IP:10\.231\.0\.12, not DNS:web-01, IP:10\.231\.9\.12/,
    );
    assert.match(
      leafRenewReason(leaf({ notAfter: new Date('2026-01-20T00:00:00Z') }), db, NOW)!,
      /ends 2026-01-20/,
    );
  });

  it('a moved lb makes the site certificate again', () => {
    const moved = plan(undefined, '10.231.8.0/24').site;
    const facts = leaf({ commonName: 'www.foobar.com', altNames: p.site.altNames });
    assert.equal(leafRenewReason(facts, p.site, NOW), undefined);
    assert.match(
      leafRenewReason(facts, moved, NOW)!,
      /not DNS:www\.foobar\.com, IP:10\.231\.8\.11/,
    );
  });

  it('keeps the CA unless it is missing, not a CA, renamed, mismatched or ending', () => {
    const ca: CertificateFacts = {
      commonName: 'foobar-infra lab tlsdbg CA',
      altNames: [],
      notAfter: LATER,
      isCa: true,
      keyMatches: true,
    };
    assert.equal(caRenewReason(ca, p.ca, NOW), undefined);
    assert.equal(caRenewReason(undefined, p.ca, NOW), 'missing');
    assert.ok(caRenewReason({ ...ca, isCa: false }, p.ca, NOW));
    assert.ok(caRenewReason({ ...ca, commonName: 'other' }, p.ca, NOW));
    assert.ok(caRenewReason({ ...ca, keyMatches: false }, p.ca, NOW));
    assert.ok(caRenewReason({ ...ca, notAfter: NOW }, p.ca, NOW));
  });
});
