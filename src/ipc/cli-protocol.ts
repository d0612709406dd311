// The operator command protocol: one JSON object per line in, one JSON object per line out.
// Request:  {"command": "blocknotify", "args": ["litecoin", "<hash>"], "secret": "...", "id": 7}
// Answer:   {"id": 7, "ok": true, "result": {...}}  or  {"id": 7, "ok": false, "error": "...", "problems": [...]}
// Lines come from anything that can reach the port, so every field is checked here and a bad line only ever
// produces an error answer.
import { z } from 'zod';

/** Longest accepted request line; a command is a few hundred bytes, anything near this is not ours. */
export const CLI_MAX_LINE_BYTES = 16 * 1024;

export const CLI_COMMANDS = ['blocknotify', 'reloadpool', 'coinswitch', 'status'] as const;
export type CliCommandName = (typeof CLI_COMMANDS)[number];

export type CliCommand =
  | { readonly command: 'blocknotify'; readonly coin: string; readonly blockHash: string }
  | { readonly command: 'reloadpool'; readonly pool: string }
  | { readonly command: 'coinswitch'; readonly switchName: string; readonly coin: string }
  | { readonly command: 'status' };

export type CliRequestId = string | number | null;

export interface CliRequest {
  readonly id: CliRequestId;
  readonly secret: string | null;
  readonly command: CliCommand;
}

export type CliAnswer =
  | { readonly id: CliRequestId; readonly ok: true; readonly result: unknown }
  | { readonly id: CliRequestId; readonly ok: false; readonly error: string; readonly problems?: readonly string[] };

// Names: coin and pool ids are file names; keep them to a safe, short alphabet so they can be logged as is.
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'must be a name of 1-64 letters, digits, ".", "_" or "-"' });
const blockHash = z.string().regex(/^[0-9a-fA-F]{64}$/, { error: 'must be a block hash of 64 hex digits' });

const argSchemas = {
  blocknotify: z.tuple([name, blockHash]).transform(([coin, hash]): CliCommand => ({ command: 'blocknotify', coin, blockHash: hash.toLowerCase() })),
  reloadpool: z.tuple([name]).transform(([pool]): CliCommand => ({ command: 'reloadpool', pool })),
  coinswitch: z.tuple([name, name]).transform(([switchName, coin]): CliCommand => ({ command: 'coinswitch', switchName, coin })),
  status: z.tuple([]).transform((): CliCommand => ({ command: 'status' })),
} satisfies Record<CliCommandName, z.ZodType<CliCommand, unknown>>;

const USAGE: Record<CliCommandName, string> = {
  blocknotify: 'blocknotify <coin> <blockhash>',
  reloadpool: 'reloadpool <pool>',
  coinswitch: 'coinswitch <switch> <coin>',
  status: 'status',
};

const envelope = z.object({
  id: z.union([z.string().max(64), z.number().int().safe(), z.null()]).optional(),
  command: z.string().max(64),
  args: z.array(z.unknown()).max(8).default([]),
  secret: z.string().max(1024).optional(),
});

export type ParsedLine = { readonly ok: true; readonly request: CliRequest } | { readonly ok: false; readonly answer: CliAnswer };

function fail(id: CliRequestId, error: string): ParsedLine {
  return { ok: false, answer: { id, ok: false, error } };
}

/** Parses one request line (without its newline). Never throws. */
export function parseCliLine(line: string): ParsedLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return fail(null, 'bad JSON: every line must be one JSON object');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(null, 'bad request: a line must be a JSON object');
  const outer = envelope.safeParse(raw);
  // The id is echoed whenever it is usable, so a client can match even an error to its request.
  const rawId = (raw as { id?: unknown }).id;
  const id: CliRequestId = typeof rawId === 'string' && rawId.length <= 64 ? rawId : Number.isSafeInteger(rawId) ? (rawId as number) : null;
  if (!outer.success) return fail(id, `bad request: ${flatten(outer.error)}`);
  const { command, args, secret } = outer.data;
  if (!(CLI_COMMANDS as readonly string[]).includes(command)) {
    return fail(id, `unknown command ${JSON.stringify(command)}; commands: ${CLI_COMMANDS.join(', ')}`);
  }
  const commandName = command as CliCommandName;
  const parsed = argSchemas[commandName].safeParse(args);
  if (!parsed.success) return fail(id, `bad arguments for ${commandName}: ${flatten(parsed.error)}; usage: ${USAGE[commandName]}`);
  return { ok: true, request: { id, secret: secret ?? null, command: parsed.data } };
}

function flatten(error: z.ZodError): string {
  return z.prettifyError(error).replace(/\s+/g, ' ').trim();
}

/** One answer line, newline included. */
export function formatCliAnswer(answer: CliAnswer): string {
  return `${JSON.stringify(answer)}\n`;
}
