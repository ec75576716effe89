import { describe, expect, it } from 'vitest';
import { artefactError, EvidenceReadError } from '../../detection/evidence.js';

describe('artefactError', () => {
  it('keeps the code of an evidence read error, after the message', () => {
    const e = new EvidenceReadError('NEEDS_PASSWORD', 'entry is encrypted (give the bundle password): files/C/x.evtx');
    expect(artefactError('C:\\x.evtx', 'could not read: ', e)).toEqual({
      artefact: 'C:\\x.evtx',
      message: 'could not read: entry is encrypted (give the bundle password): files/C/x.evtx',
      code: 'NEEDS_PASSWORD',
    });
    expect(e.name).toBe('EvidenceReadError');
    expect(e).toBeInstanceOf(Error);
  });

  it('has no code for any other failure, whatever its message says', () => {
    expect(artefactError('a', 'could not read: ', new Error('entry is encrypted (give the bundle password)'))).toEqual({
      artefact: 'a',
      message: 'could not read: entry is encrypted (give the bundle password)',
    });
    expect(artefactError('a', '', 'plain text')).toEqual({ artefact: 'a', message: 'plain text' });
    expect(artefactError('a', '', Object.assign(new Error('x'), { code: 'NEEDS_PASSWORD' }))).not.toHaveProperty('code');
  });
});
