/** Raw HTTP calls for tests that need to see exactly what is on the wire, without an SDK. */

/** Headers with the shape of a SigV4-signed request (the emulator checks shape, not the signature). */
export function sigV4ShapedHeaders(region: string, now = new Date(Date.UTC(2026, 0, 1))): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const scope = `AKIAEMULATOREXAMPLE1/${amzDate.slice(0, 8)}/${region}/bedrock/aws4_request`;
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=${'ab'.repeat(32)}`,
    'x-amz-date': amzDate,
    'content-type': 'application/json',
  };
}

export async function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Non-JSON bodies (streams) are returned as text.
  }
  return { status: response.status, headers: response.headers, json };
}
