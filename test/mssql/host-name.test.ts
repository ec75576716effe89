import { describe, expect, it } from 'vitest';
import { chooseHostName, hostOfServerName, shortComputerName } from '../../detection/mssql/index.js';

describe('chooseHostName', () => {
  const computers = new Map([
    ['SQL01.corp.local', 3],
    ['MAGGIE.corp.local', 1200],
    ['DC01.corp.local', 1200],
  ]);

  it('prefers what is declared over everything the evidence says', () => {
    expect(chooseHostName({ declared: 'LIVEHOST', computers, serverNames: ['OTHER'], location: '/x/y' })).toEqual({ name: 'LIVEHOST', source: 'declared' });
  });

  it('takes the most frequent event Computer, first seen on a tie, without its domain', () => {
    expect(chooseHostName({ computers, serverNames: ['OTHER\\REPORTING'], location: '/x/y' })).toEqual({ name: 'MAGGIE', source: 'event-computer' });
  });

  it('falls back to the ERRORLOG server name, without the instance', () => {
    expect(chooseHostName({ declared: '', computers: new Map(), serverNames: ['', 'MAGGIE\\REPORTING'], location: '/x/y' })).toEqual({
      name: 'MAGGIE',
      source: 'errorlog-server',
    });
  });

  it('falls back to the last folder of the location, then to unknown', () => {
    expect(chooseHostName({ location: '/cases/host-maggie/' })).toEqual({ name: 'host-maggie', source: 'location' });
    expect(chooseHostName({ location: 'D:\\cases\\hostA' })).toEqual({ name: 'hostA', source: 'location' });
    expect(chooseHostName({ location: '/' })).toEqual({ name: 'unknown', source: 'location' });
  });

  it('keeps a name with nothing to strip', () => {
    expect(shortComputerName('MAGGIE')).toBe('MAGGIE');
    expect(shortComputerName('.corp')).toBe('.corp');
    expect(hostOfServerName('MAGGIE')).toBe('MAGGIE');
    expect(hostOfServerName('\\X')).toBe('');
    expect(chooseHostName({ serverNames: ['\\X', 'SQL02\\X'], location: '/x' })).toEqual({ name: 'SQL02', source: 'errorlog-server' });
  });
});
