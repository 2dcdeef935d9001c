// The HTTP API: JSON in and out, the session token kept in the browser so
// a reload keeps the agent signed in. Errors are the server's
// `{"error": {code, message, field}}`, thrown as `ApiError`.

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
    /** The whole error body, for errors that carry more (a stale save's
     * `changed` fields, an import's bad rows). */
    public body?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const TOKEN = "hotline.token";

export function token(): string | null {
  return sessionStorage.getItem(TOKEN) ?? localStorage.getItem(TOKEN);
}

export function setToken(t: string | null): void {
  if (t === null) {
    localStorage.removeItem(TOKEN);
    sessionStorage.removeItem(TOKEN);
  } else {
    localStorage.setItem(TOKEN, t);
  }
}

/** Reads an error body; anything unexpected becomes a plain HTTP error. */
export async function errorOf(r: Response): Promise<ApiError> {
  try {
    const body = await r.json();
    const e = body?.error;
    if (e && typeof e.code === "string") {
      return new ApiError(r.status, e.code, String(e.message ?? e.code), e.field ?? undefined, body);
    }
  } catch {
    // not JSON
  }
  return new ApiError(r.status, "http_" + r.status, r.statusText || "request failed");
}

/** A request to the API with the session; the response, or the server's
 * error thrown. `body` is sent as given with `type` (JSON by `api`). */
export async function send(method: string, path: string, opts: { body?: BodyInit; type?: string; etag?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const t = token();
  if (t) headers["authorization"] = `Bearer ${t}`;
  if (opts.type) headers["content-type"] = opts.type;
  if (opts.etag) headers["if-match"] = opts.etag;
  const r = await fetch(`/api/v1${path}`, { method, headers, body: opts.body });
  if (!r.ok) throw await errorOf(r);
  return r;
}

/** JSON in and out. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await send(method, path, body === undefined ? {} : { body: JSON.stringify(body), type: "application/json" });
  if (r.status === 204) return undefined as T;
  return (await r.json()) as T;
}

/** A field someone else changed since the version a save was made to. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** An object with its version (the `ETag`), for a save that must not
 * overwrite someone else's. */
export interface Tagged<T> {
  data: T;
  etag: string | null;
}

/** GET, keeping the version. */
export async function getTagged<T>(path: string): Promise<Tagged<T>> {
  return sendTagged<T>("GET", path);
}

/** A change made to version `etag` (sent as `If-Match`): refused with 412
 * `precondition_failed` and the fields changed since, when someone else
 * saved first. */
export async function sendTagged<T>(method: string, path: string, body?: unknown, etag?: string | null): Promise<Tagged<T>> {
  const r = await send(method, path, body === undefined ? { etag } : { body: JSON.stringify(body), type: "application/json", etag });
  return { data: (await r.json()) as T, etag: r.headers.get("etag") };
}

/** The fields a 412 says someone else changed. */
export function changedFields(e: unknown): FieldChange[] {
  if (!(e instanceof ApiError) || e.code !== "precondition_failed") return [];
  const changed = (e.body?.error as { changed?: FieldChange[] } | undefined)?.changed;
  return Array.isArray(changed) ? changed : [];
}

export interface Me {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  agent_id: string | null;
}

export interface AgentState {
  agent_id: string;
  extension: string;
  name: string;
  status: "available" | "not_ready" | "logged_out";
  reason: string | null;
  state: "idle" | "reserved" | "busy" | "wrap_up";
  offer: { offer_id: string; contact_id: string; queue_id: string; expires_at: number } | null;
  active: string[];
  handled_today: number;
  wrap_up_until: number | null;
}

export interface Code {
  id: string;
  label: string;
}

export interface Interaction {
  id: string;
  channel: string;
  queue_id: string | null;
  agent_id: string | null;
  customer_id: string | null;
  from: string | null;
  to?: string | null;
  arrived_at: number;
  answered_at: number | null;
  ended_at: number | null;
  outcome: string | null;
  hangup_cause: string | null;
  wrap_up_code: string | null;
  notes: string | null;
  ivr: Record<string, string>;
}

export interface Customer {
  id: string;
  name: string;
  phones: string[];
  tier: number;
  tags: string[];
}

export interface ScreenPop {
  interaction: Interaction;
  customer: Customer | null;
  recent: Interaction[];
}

/** Signs in; `otp` is the authenticator's code (or a recovery code) for
 * users with a second factor. Fails with code `second_factor_required`
 * when one is needed and not given. */
export async function login(username: string, password: string, otp?: string): Promise<void> {
  const body = otp ? { username, password, otp } : { username, password };
  const r = await api<{ token: string }>("POST", "/auth/login", body);
  setToken(r.token);
}

export async function logout(): Promise<void> {
  try {
    await api("POST", "/auth/logout");
  } finally {
    setToken(null);
  }
}
