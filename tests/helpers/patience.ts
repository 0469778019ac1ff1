/**
 * How long a test waits for something before it fails. CI runs on two cores that other jobs may keep busy,
 * so no test may depend on how fast the machine is: a test polls for the condition it needs (a server
 * answering, a run finishing) and gives up only after this generous limit, which a healthy run never
 * comes near. Raise it with DMB_TEST_PATIENCE_MS on an extraordinarily slow machine.
 */
export const PATIENCE_MS = Number(process.env.DMB_TEST_PATIENCE_MS ?? 20 * 60_000);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, or fails naming `what` after PATIENCE_MS. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${PATIENCE_MS / 1000} s`);
    await sleep(intervalMs);
  }
}
