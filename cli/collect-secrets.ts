/**
 * What protects a bundle, read before anything is collected: a password (AES-256, from an
 * environment variable or the terminal without echo) or age recipients (sealed).
 */
import type { CollectArgs } from './collect-args.js';
import type { CliContext } from './context.js';
import { EXIT, ExitError, UsageError } from './exit-codes.js';
import { recipientsOf } from './seal-options.js';

export interface CollectSecrets {
  password?: Buffer;
  recipients?: string[];
}

export async function collectSecrets(args: CollectArgs, ctx: CliContext): Promise<CollectSecrets> {
  const recipients = await recipientsOf(args, ctx.cwd, 'collect');
  const pw = await password(args, ctx);
  return { ...(pw ? { password: pw } : {}), ...(recipients ? { recipients } : {}) };
}

/** Reads a password from the terminal without echo. */
async function promptPassword(ctx: CliContext): Promise<Buffer> {
  if (!ctx.isTTY || !process.stdin.isTTY) throw new UsageError('collect: --password needs a terminal; use --password-env VAR');
  ctx.stderr.write('Bundle password: ');
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  const chars: number[] = [];
  try {
    await new Promise<void>((res, rej) => {
      const onData = (d: Buffer): void => {
        for (const c of d) {
          if (c === 0x0d || c === 0x0a) {
            stdin.off('data', onData);
            return res();
          }
          if (c === 0x03) {
            stdin.off('data', onData);
            return rej(new ExitError(EXIT.INTERRUPTED, 'interrupted'));
          }
          if (c === 0x7f || c === 0x08) chars.pop();
          else chars.push(c);
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    ctx.stderr.write('\n');
  }
  if (chars.length === 0) throw new UsageError('collect: empty password');
  return Buffer.from(chars);
}

function password(args: CollectArgs, ctx: CliContext): Promise<Buffer | undefined> {
  if (args.passwordEnv) {
    const v = ctx.env[args.passwordEnv];
    if (!v) throw new UsageError(`collect: environment variable ${args.passwordEnv} is empty or not set`);
    return Promise.resolve(Buffer.from(v, 'utf8'));
  }
  return args.passwordPrompt ? promptPassword(ctx) : Promise.resolve(undefined);
}
