/**
 * The live host snapshot (sysinfo.json): OS, host name, domain, time zone, interfaces,
 * listening sockets (1433 on all interfaces flagged), connections of sqlservr.exe, processes
 * (children of sqlservr.exe flagged), users. Built by a pure function over the raw data so
 * tests feed recorded data; `systeminformationSource` gets the real data.
 */
import si from 'systeminformation';

export interface RawSysinfo {
  os: { hostname: string; fqdn: string; platform: string; distro: string; release: string; build: string; arch: string };
  time: { timezone: string; timezoneName: string; current: number; uptime: number };
  interfaces: { iface: string; ip4: string; ip6: string; mac: string; internal: boolean; dnsSuffix?: string }[];
  connections: { protocol: string; localAddress: string; localPort: string; peerAddress: string; peerPort: string; state: string; pid: number; process: string }[];
  processes: { pid: number; parentPid: number; name: string; path?: string; command?: string; params?: string; user?: string; started?: string }[];
  users: { user: string; tty: string; date: string; time: string; ip: string }[];
}

export type SysinfoSource = () => Promise<RawSysinfo>;

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '*', '[::]', '']);
const SQL_PORT = '1433';

export function buildSnapshot(raw: RawSysinfo, env: { userDomain?: string } = {}): Record<string, unknown> {
  const sqlPids = new Set(raw.processes.filter((p) => /^sqlservr(\.exe)?$/i.test(p.name)).map((p) => p.pid));
  const listening = raw.connections.filter((c) => /listen/i.test(c.state));
  const flags: string[] = [];
  const listen = listening.map((c) => {
    const allIfaces = ANY_ADDRESS.has(c.localAddress);
    const flag = c.localPort === SQL_PORT && allIfaces ? 'SQL Server port 1433 listening on all interfaces' : undefined;
    if (flag && !flags.includes(flag)) flags.push(flag);
    return { ...c, ...(flag ? { flag } : {}) };
  });
  const sqlConnections = raw.connections.filter((c) => sqlPids.has(c.pid) && !/listen/i.test(c.state));
  const processes = raw.processes.map((p) => {
    const child = sqlPids.has(p.parentPid);
    if (child) flags.push(`process ${p.name} (pid ${p.pid}) is a child of sqlservr.exe`);
    return { ...p, ...(child ? { flag: 'child of sqlservr.exe' } : {}) };
  });
  const fqdnDomain = raw.os.fqdn.includes('.') ? raw.os.fqdn.slice(raw.os.fqdn.indexOf('.') + 1) : undefined;
  const domain = env.userDomain ?? fqdnDomain;
  return {
    hostname: raw.os.hostname,
    os: `${raw.os.distro} ${raw.os.release}${raw.os.build ? ` (build ${raw.os.build})` : ''} ${raw.os.arch}`.trim(),
    ...(domain ? { domain } : {}),
    timeZone: `${raw.time.timezoneName} (${raw.time.timezone})`,
    snapshotTime: new Date(raw.time.current).toISOString(),
    uptimeSeconds: raw.time.uptime,
    interfaces: raw.interfaces,
    listening: listen,
    sqlserverConnections: sqlConnections,
    sqlserverPids: [...sqlPids],
    processes,
    users: raw.users,
    flags,
  };
}

/** The real data from systeminformation. */
export const systeminformationSource: SysinfoSource = async () => {
  const [os, ifaces, conns, procs, users] = await Promise.all([si.osInfo(), si.networkInterfaces(), si.networkConnections(), si.processes(), si.users()]);
  const t = si.time();
  return {
    os: { hostname: os.hostname, fqdn: os.fqdn, platform: os.platform, distro: os.distro, release: os.release, build: os.build, arch: os.arch },
    time: { timezone: t.timezone, timezoneName: t.timezoneName, current: t.current, uptime: t.uptime },
    interfaces: (Array.isArray(ifaces) ? ifaces : [ifaces]).map((i) => ({ iface: i.iface, ip4: i.ip4, ip6: i.ip6, mac: i.mac, internal: i.internal, dnsSuffix: i.dnsSuffix })),
    connections: conns.map((c) => ({
      protocol: c.protocol,
      localAddress: c.localAddress,
      localPort: c.localPort,
      peerAddress: c.peerAddress,
      peerPort: c.peerPort,
      state: c.state,
      pid: c.pid,
      process: c.process,
    })),
    processes: procs.list.map((p) => ({ pid: p.pid, parentPid: p.parentPid, name: p.name, path: p.path, command: p.command, params: p.params, user: p.user, started: p.started })),
    users: users.map((u) => ({ user: u.user, tty: u.tty, date: u.date, time: u.time, ip: u.ip })),
  };
};
