// The v1 API with the session cookie and the CSRF token; errors become ApiError with the code.
let csrf = null;

export class ApiError extends Error {
  constructor(status, code, details, serverMessage) {
    super(code);
    this.status = status;
    this.code = code;
    this.details = details || null;
    // The server's English sentence: never shown, but it names the field of an invalid_request.
    this.serverMessage = serverMessage || '';
  }
}

export function setCsrf(token) { csrf = token; }

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) { onUnauthenticated = fn; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network_error');
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    const code = json && json.error && json.error.code ? json.error.code : 'http_' + res.status;
    const err = new ApiError(res.status, code, json && json.error ? json.error.details : null, json && json.error ? json.error.message : '');
    if (res.status === 401 && code === 'unauthenticated' && !path.endsWith('/auth/login')) onUnauthenticated();
    throw err;
  }
  return json;
}

export const get = (p) => api('GET', p);
export const post = (p, b = {}) => api('POST', p, b);
export const put = (p, b) => api('PUT', p, b);
export const patch = (p, b) => api('PATCH', p, b);
export const del = (p, b) => api('DELETE', p, b);
