/**
 * Wait for something a socket or another process will do: polls every 5 ms, gives up after about
 * 2,000 polls (10 s at the least, longer on a busy host). A bound so a broken path fails instead of
 * hanging the run; never a timing claim.
 */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error(`gave up waiting: ${what}`);
}
