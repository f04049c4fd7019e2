/**
 * Polls `url` until it answers 2xx. Rejects after `timeoutMs`, or at once when `failed()` returns
 * a reason (e.g. the process that should answer has exited).
 */
export async function waitForHttp(
  url: string,
  { timeoutMs = 30_000, failed = (): string | undefined => undefined } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    const reason = failed();
    if (reason !== undefined) throw new Error(reason);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}
