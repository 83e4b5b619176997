import { createServer, type Server } from 'node:net';

/**
 * A port held open on 127.0.0.1 until a server takes it over, so its number can be handed out
 * (endpoints, URLs) before the server that answers on it exists. Nothing else can take it in
 * between — not a concurrent test run, nor an outgoing connection's ephemeral port, which is
 * what a port that was only "free a moment ago" suffered.
 */
export interface PortReservation {
  readonly port: number;
  /** `server` listens on the held port (the handle passes to it; closing `server` frees the port). */
  listen(server: Server): Promise<void>;
  /** Frees the port if no server took it. */
  release(): Promise<void>;
}

export async function reservePort(): Promise<PortReservation> {
  const holder = createServer();
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen(0, '127.0.0.1', () => resolve());
  });
  const address = holder.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let taken = false;
  return {
    port,
    listen: (server) =>
      new Promise<void>((resolve, reject) => {
        taken = true;
        server.once('error', reject);
        server.listen(holder, () => resolve());
      }),
    release: () => (taken ? Promise.resolve() : new Promise<void>((resolve) => holder.close(() => resolve()))),
  };
}

/** A port or a reservation: servers listen on the reservation's held port, or bind the number. */
export async function listenOn(server: Server, port: number | PortReservation | undefined): Promise<number> {
  if (typeof port === 'object') {
    await port.listen(server);
    return port.port;
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

// Below Linux's ephemeral range (32768–60999): an outgoing connection never takes these.
const LOW = 20_000;
const HIGH = 32_767;

/**
 * A port that was free on 127.0.0.1 a moment ago, for a server started by another program (the
 * DynamoDB Local JVM, the SES emulator), which cannot take over a held port. Chosen at random
 * below the ephemeral range, so only another such choice can collide with it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.unref();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
    if (attempt > 50) throw new Error('no free port found below the ephemeral range');
  }
}

/** Polls `check` until it answers true; throws what `check` threw, or a timeout. */
export async function waitFor(check: () => Promise<boolean>, opts: { timeoutMs: number; what: string; intervalMs?: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${opts.what} did not start within ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
