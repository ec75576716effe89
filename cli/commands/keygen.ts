import { Command } from 'commander';
import { resolve } from 'node:path';
import { KeyFileError, writeNewIdentity } from '../../collector/index.js';
import { UsageError } from '../exit-codes.js';
import type { CommandFactory } from '../command.js';

/**
 * `espy keygen -o FILE`: the analyst's key pair for sealed bundles. The identity (secret) is
 * written with mode 0600 and never over an existing file; the recipient (public) is printed,
 * to be handed to responders for `espy collect --recipient`.
 */
export const keygenCommand: CommandFactory = (ctx) =>
  new Command('keygen')
    .description("make the analyst's age key pair for sealed bundles: writes the secret identity, prints the public recipient")
    .requiredOption('-o, --output <file>', 'where to write the identity (created with mode 0600; never overwritten)')
    .action(async (raw: { output: string }) => {
      const c = ctx();
      const path = resolve(c.cwd, raw.output);
      let recipient: string;
      try {
        recipient = await writeNewIdentity(path, new Date());
      } catch (e) {
        if (e instanceof KeyFileError) throw new UsageError(`keygen: ${e.message}`);
        throw e;
      }
      if (c.json) c.stdout.write(`${JSON.stringify({ identity: path, recipient })}\n`);
      else {
        c.stdout.write(`${recipient}\n`);
        c.log.info(`identity written to ${path} (keep it secret, off the suspect hosts); give responders the recipient above: espy collect --recipient ${recipient}`);
      }
    });
