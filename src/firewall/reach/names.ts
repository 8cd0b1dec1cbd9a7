/**
 * Names nft knows in the fields the reach check decides: services for ports,
 * layer-4 protocols, and the protocols whose header a TCP packet never has.
 */

/** A table lookup that a name such as "constructor" cannot reach past. */
export function own(table: Readonly<Record<string, number>>, key: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

const SERVICES: Readonly<Record<string, number>> = {
  ssh: 22,
  http: 80,
  https: 443,
  ftp: 21,
  telnet: 23,
  smtp: 25,
  domain: 53,
  pop3: 110,
  imap: 143,
  imaps: 993,
  pop3s: 995,
  submission: 587,
  mysql: 3306,
  postgresql: 5432,
};

export function portOf(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) return Number(text);
  return own(SERVICES, text);
}

export const L4_PROTOCOLS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  ipv6: 41,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  comp: 108,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
  udplite: 136,
  dccp: 33,
};

/** Protocols whose header a `<protocol> <field>` match needs: a TCP packet never has them. */
export const NOT_TCP = new Set([
  'udp',
  'udplite',
  'sctp',
  'dccp',
  'icmp',
  'icmpv6',
  'igmp',
  'ah',
  'esp',
  'comp',
  'gre',
  'arp',
]);
