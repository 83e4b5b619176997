/**
 * An AWS client, or how to make it on first use (issue 13, item 1). A deployed function bundles
 * the SDK and imports a client's package only when a request first needs it, so a cold start
 * does not pay for clients the request never calls; tests and the local cloud may still hand
 * the adapters a client they built.
 */
export type ClientSource<C> = C | (() => Promise<C>);

/** The client itself (SDK clients are objects; a function is the factory). */
export function clientOf<C extends object>(source: ClientSource<C>): Promise<C> {
  return typeof source === 'function' ? source() : Promise.resolve(source);
}

/** A factory that runs once: every later call answers the same client. */
export function once<C>(make: () => Promise<C>): () => Promise<C> {
  let made: Promise<C> | undefined;
  return () => {
    // A failed import is not cached: the next request tries again.
    made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}
