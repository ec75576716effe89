import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

/** espy's own PE fixtures (built from test/fixtures/pe/src by build.sh). */
export const PE_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'pe');
export const fixture = (name: 'xp_fixture.dll' | 'xp_fixture_signed.dll' | 'plain.dll' | 'maggie_like.dll'): Uint8Array => new Uint8Array(readFileSync(join(PE_FIXTURES, name)));
