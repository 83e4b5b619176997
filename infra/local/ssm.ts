import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * The local stand-in for SSM Parameter Store, as far as Relance uses it (R-PAY-1): the JSON 1.1
 * protocol of the official client (`X-Amz-Target: AmazonSSM.<Action>`) for PutParameter,
 * GetParameter and DeleteParameter, SSM's error shapes (`ParameterNotFound`,
 * `ParameterAlreadyExists`, `ValidationException`), versions, and SecureString values kept
 * encrypted (AES-256-GCM with a key of its own, as SSM keeps them under KMS) in memory and, with
 * `persistFile`, on disk. Listens on 127.0.0.1 only.
 */
export interface LocalSsm {
  endpoint: string;
  /** Parameter names, for tests (never values). */
  names(): string[];
  stop(): Promise<void>;
}

interface Stored {
  type: 'String' | 'SecureString';
  /** base64 of iv ‖ tag ‖ ciphertext for SecureString; the value itself for String. */
  value: string;
  version: number;
  lastModified: number;
}

const NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

export async function startLocalSsm(options: { port?: number; persistFile?: string | undefined; keyFile?: string | undefined } = {}): Promise<LocalSsm> {
  const key = loadKey(options.keyFile);
  const params = new Map<string, Stored>(
    options.persistFile && existsSync(options.persistFile) ? Object.entries(JSON.parse(readFileSync(options.persistFile, 'utf8')) as Record<string, Stored>) : [],
  );
  const save = () => {
    if (options.persistFile) writeFileSync(options.persistFile, JSON.stringify(Object.fromEntries(params)), { mode: 0o600 });
  };
  const seal = (plain: string) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  };
  const open = (sealed: string) => {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  };

  const actions: Record<string, (input: Record<string, unknown>) => { status: number; body: unknown }> = {
    PutParameter: (input) => {
      const name = String(input.Name ?? '');
      const type = input.Type ?? 'String';
      if (!NAME.test(name)) return invalid(`Parameter name ${name} is not valid`);
      if (type !== 'String' && type !== 'SecureString') return invalid(`Type ${String(type)} is not supported here`);
      if (typeof input.Value !== 'string' || input.Value.length === 0 || input.Value.length > 4096) return invalid('Value must be 1 to 4096 characters (standard tier)');
      const existing = params.get(name);
      if (existing && input.Overwrite !== true) return error('ParameterAlreadyExists', `The parameter already exists. To overwrite this value, set the overwrite option in the request to true.`);
      const version = (existing?.version ?? 0) + 1;
      params.set(name, { type, value: type === 'SecureString' ? seal(input.Value) : input.Value, version, lastModified: Date.now() / 1000 });
      save();
      return { status: 200, body: { Version: version, Tier: 'Standard' } };
    },
    GetParameter: (input) => {
      const name = String(input.Name ?? '');
      const stored = params.get(name);
      if (!stored) return error('ParameterNotFound', `Parameter ${name} not found.`);
      const value = stored.type === 'SecureString' && input.WithDecryption === true ? open(stored.value) : stored.value;
      return {
        status: 200,
        body: { Parameter: { Name: name, Type: stored.type, Value: value, Version: stored.version, LastModifiedDate: stored.lastModified, DataType: 'text' } },
      };
    },
    DeleteParameter: (input) => {
      const name = String(input.Name ?? '');
      if (!params.delete(name)) return error('ParameterNotFound', `Parameter ${name} not found.`);
      save();
      return { status: 200, body: {} };
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = actions[target.replace(/^AmazonSSM\./, '')];
      let answer: { status: number; body: unknown };
      if (req.method !== 'POST' || !target.startsWith('AmazonSSM.') || !action) answer = error('InvalidAction', `${target || 'no action'} is not served by the local SSM`);
      else {
        try {
          answer = action(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
        } catch {
          answer = invalid('the body is not JSON');
        }
      }
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomBytes(16).toString('hex') });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    names: () => [...params.keys()].sort(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function error(type: string, message: string): { status: number; body: unknown } {
  return { status: 400, body: { __type: type, message } };
}

function invalid(message: string): { status: number; body: unknown } {
  return error('ValidationException', message);
}

function loadKey(file: string | undefined): Buffer {
  if (file && existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  const key = randomBytes(32);
  if (file) writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}
