// Clients of the real v1 API used to arrange and check what the browser does:
// an admin session (cookie + X-CSRF-Token) and a tablet that signs its requests (PROTOCOL.md).
import crypto from 'node:crypto';

/** A JSON answer with its status; `error` is the API's error object for a 4xx/5xx. */
async function answer(res) {
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  return { status: res.status, body: json, error: json && json.error ? json.error : null };
}

/** An admin/manager web session. */
export class AdminApi {
  constructor(base) { this.base = base; this.cookie = null; this.csrf = null; }

  static async login(base, username, password) {
    const api = new AdminApi(base);
    const res = await fetch(base + '/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
    });
    const a = await answer(res);
    if (a.status !== 200) throw new Error(`login ${username}: ${a.status} ${JSON.stringify(a.body)}`);
    api.cookie = res.headers.get('set-cookie').split(';')[0];
    api.csrf = a.body.csrf_token;
    return api;
  }

  async request(method, path, body) {
    const headers = { Cookie: this.cookie, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-Token'] = this.csrf;
    return answer(await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
  }

  /** GET that must succeed; returns the body. */
  async get(path) {
    const a = await this.request('GET', path);
    if (a.status !== 200) throw new Error(`GET ${path}: ${a.status} ${JSON.stringify(a.body)}`);
    return a.body;
  }

  async post(path, body = {}) { return this.request('POST', path, body); }

  async enrolmentCode(expiresInS = 900) {
    const a = await this.post('/api/v1/enrolment-codes', { expires_in_s: expiresInS });
    if (a.status !== 201) throw new Error(`enrolment code: ${a.status} ${JSON.stringify(a.body)}`);
    return a.body.code;
  }

  async employee(number) {
    const all = (await this.get('/api/v1/employees?limit=1000')).items;
    const e = all.find((x) => x.number === number);
    if (!e) throw new Error(`no employee number ${number}`);
    return e;
  }

  async devices() { return (await this.get('/api/v1/devices?limit=1000')).items; }
}

/** A UUIDv7: 48-bit Unix milliseconds, version 7, RFC 4122 variant, random rest. */
export function uuidv7(ms = Date.now()) {
  const b = crypto.randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/**
 * The signature base string of PROTOCOL.md and shared-model/src/device_auth.rs:
 * "stampclock-v1\nMETHOD\nPATH_AND_QUERY\nTIMESTAMP\n" + lowercase hex SHA-256 of the body.
 */
export function baseString(method, pathAndQuery, timestamp, body) {
  const hash = crypto.createHash('sha256').update(body).digest('hex');
  return `stampclock-v1\n${method}\n${pathAndQuery}\n${timestamp}\n${hash}`;
}

/** A tablet: an Ed25519 key, enrolment, and signed sync pages with a gap-free device_seq. */
export class Tablet {
  constructor(base, platform = 'Linux; WebKitGTK 2.44; stampclock 0.1.0 (admin-ui test)') {
    this.base = base;
    this.platform = platform;
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicKey = publicKey.export({ format: 'jwk' }).x; // base64url of the raw 32 bytes
    this.id = null;
    this.seq = 0;
  }

  async enrol(code) {
    const a = await answer(await fetch(this.base + '/api/v1/device/enrol', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ enrolment_code: code, public_key: this.publicKey, platform: this.platform, app_version: '0.1.0' }),
    }));
    if (a.status !== 201) throw new Error(`enrol: ${a.status} ${JSON.stringify(a.body)}`);
    this.id = a.body.device_id;
    return a.body;
  }

  /** A signed request; returns {status, body, error}. */
  async signed(method, path, payload) {
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    const timestamp = new Date().toISOString();
    const signature = b64url(crypto.sign(null, Buffer.from(baseString(method, path, timestamp, body), 'utf8'), this.privateKey));
    return answer(await fetch(this.base + path, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Device-Id': this.id, 'X-Timestamp': timestamp, 'X-Signature': signature },
      body,
    }));
  }

  /** A punch event by this tablet (start needs a link). */
  event(employeeId, kind, linkId, at = new Date()) {
    this.seq += 1;
    const iso = at.toISOString();
    return { id: uuidv7(at.getTime()), device_seq: this.seq, employee_id: employeeId, kind, link_id: kind === 'start' ? linkId : null, comment: null, occurred_at: iso, device_clock_at: iso };
  }

  /** One sync page: `events` pushed, `pendingAfter` still queued on the tablet. */
  async sync(events = [], pendingAfter = 0) {
    const oldest = pendingAfter > 0 ? new Date(Date.now() - 3600_000).toISOString() : null;
    return this.signed('POST', '/api/v1/device/sync', { events, pending_after: pendingAfter, oldest_pending_at: oldest, roster_version: null });
  }
}
