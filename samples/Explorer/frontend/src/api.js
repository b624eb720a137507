// Requests to the server. The cookie set by ?token=… authenticates them; nothing is computed here.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok && !(body && typeof body === 'object' && 'ok' in body)) {
    const message = body && body.error ? body.error : `${response.status} ${response.statusText}`;
    if (response.status === 401) {
      throw new ApiError('The access token is missing or wrong: open the URL the Explorer printed when it started.', 401);
    }
    throw new ApiError(message, response.status);
  }
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { credentials: 'same-origin' }));
}

export async function post(path, body, signal) {
  return answer(await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  }));
}

// Values may arrive as "NaN" / "Infinity" strings (the server never fails on them).
export function num(v) {
  return typeof v === 'number' ? v : Number(v);
}

export function fmt(v, digits = 5) {
  const x = num(v);
  if (!Number.isFinite(x)) return String(v);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-4) return x.toExponential(Math.max(1, digits - 2));
  return Number(x.toPrecision(digits)).toString();
}
