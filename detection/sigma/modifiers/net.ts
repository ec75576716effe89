/** IPv4 / IPv6 parsing for the `cidr` modifier. */

export interface IpAddress {
  v6: boolean;
  value: bigint;
}

export function parseIpv4(s: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIpv6(input: string): bigint | undefined {
  let s = input.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.length > 45) return undefined;
  let tail: number[] = [];
  const v4 = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (v4) {
    const n = parseIpv4(v4[1] as string);
    if (n === undefined) return undefined;
    tail = [Number(n >> 16n), Number(n & 0xffffn)];
    s = s.slice(0, -(v4[1] as string).length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (p: string): number[] | undefined => {
    if (p === '') return [];
    const out: number[] = [];
    for (const g of p.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const groups = [...head, ...rest, ...tail];
  const total = halves.length === 2 ? [...head, ...new Array<number>(8 - groups.length).fill(0), ...rest, ...tail] : groups;
  if (total.length !== 8 || (halves.length === 2 && groups.length > 7)) return undefined;
  let v = 0n;
  for (const g of total) v = (v << 16n) | BigInt(g);
  return v;
}

export function parseIp(s: string): IpAddress | undefined {
  const t = s.trim();
  const v4 = parseIpv4(t);
  if (v4 !== undefined) return { v6: false, value: v4 };
  const v6 = parseIpv6(t);
  if (v6 === undefined) return undefined;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) compares as IPv4.
  if (v6 >> 32n === 0xffffn) return { v6: false, value: v6 & 0xffffffffn };
  return { v6: true, value: v6 };
}

export interface Cidr {
  v6: boolean;
  network: bigint;
  mask: bigint;
}

export function parseCidr(s: string): Cidr | undefined {
  const [addr, len, extra] = s.trim().split('/');
  if (addr === undefined || extra !== undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const bits = ip.v6 ? 128 : 32;
  const prefix = len === undefined ? bits : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits || (len !== undefined && !/^\d+$/.test(len))) return undefined;
  const all = (1n << BigInt(bits)) - 1n;
  const mask = prefix === 0 ? 0n : (all << BigInt(bits - prefix)) & all;
  return { v6: ip.v6, network: ip.value & mask, mask };
}

export function cidrContains(c: Cidr, ip: IpAddress): boolean {
  return c.v6 === ip.v6 && (ip.value & c.mask) === c.network;
}
