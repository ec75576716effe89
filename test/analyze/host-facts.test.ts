import { describe, expect, it } from 'vitest';
import { MAX_HOST_FACT_CHARS, readHostFacts } from '../../detection/evidence.js';

describe('readHostFacts', () => {
  it('reads a sysinfo.json and describes the collector', () => {
    const sysinfo = {
      hostname: 'MAGGIE',
      os: 'Microsoft Windows Server 2019 10.0.17763 x64',
      domain: 'corp.local',
      timeZone: 'W. Europe Standard Time (UTC+01:00)',
      collectedBy: { hostname: 'ir-laptop', platform: 'linux', user: 'analyst' },
      collectedAt: '2026-11-03T08:00:00.000Z',
      processes: [{ pid: 4 }],
    };
    expect(readHostFacts(sysinfo)).toEqual({
      hostname: 'MAGGIE',
      os: 'Microsoft Windows Server 2019 10.0.17763 x64',
      domain: 'corp.local',
      timeZone: 'W. Europe Standard Time (UTC+01:00)',
      collectedBy: 'analyst@ir-laptop (linux)',
      collectedAt: '2026-11-03T08:00:00.000Z',
    });
  });

  it('takes `host` when `hostname` is absent, and a collector given as text', () => {
    expect(readHostFacts({ host: 'SQL01', collectedBy: 'someone' })).toEqual({ hostname: 'SQL01', collectedBy: 'someone' });
    expect(readHostFacts({ collectedBy: { hostname: 'ir' } })).toEqual({ collectedBy: 'ir' });
  });

  it('ignores what is not a non-empty string, and forged shapes', () => {
    expect(readHostFacts({ hostname: 42, os: ['x'], domain: '', timeZone: null, collectedBy: { user: 'x' } })).toBeUndefined();
    expect(readHostFacts({ hostname: 7, host: 'B' })).toEqual({ hostname: 'B' });
    for (const raw of [null, undefined, 'MAGGIE', 3, [], [{ hostname: 'A' }]]) expect(readHostFacts(raw)).toBeUndefined();
  });

  it('cuts a huge forged field', () => {
    const facts = readHostFacts({ hostname: 'A'.repeat(5_000_000), collectedBy: { hostname: 'B'.repeat(5000), user: 'u'.repeat(5000) } });
    expect(facts?.hostname).toHaveLength(MAX_HOST_FACT_CHARS);
    expect(facts?.collectedBy?.length).toBeLessThanOrEqual(2 * MAX_HOST_FACT_CHARS + 1);
  });
});
