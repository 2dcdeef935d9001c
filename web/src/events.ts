// The server's event stream over WebSocket. It reconnects with a growing
// pause and resumes from the last event seen (`?since=<seq>`), so nothing
// is missed across a network blip or a server restart.

export interface HotlineEvent {
  type: string;
  seq?: number;
  at?: number;
  [field: string]: unknown;
}

/** The stream's address: same host, `ws:`/`wss:`, a single-use ticket
 * (tokens never go in URLs) and the resume point. */
export function streamUrl(location: { protocol: string; host: string }, ticket: string, since: number | null): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const q = new URLSearchParams({ ticket });
  if (since !== null) q.set("since", String(since));
  return `${scheme}//${location.host}/api/v1/events?${q}`;
}

/** A single-use ticket for the stream, asked for with the session's token. */
async function ticketFor(token: string): Promise<string> {
  const r = await fetch("/api/v1/events/ticket", { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`ticket: ${r.status}`);
  const body = (await r.json()) as { ticket: string };
  return body.ticket;
}

/** Pause before the n-th reconnection: 0.5 s doubling up to 10 s. */
export function backoff(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}

export class EventStream {
  private ws: WebSocket | null = null;
  private lastSeq: number | null = null;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private token: string,
    private onEvent: (e: HotlineEvent) => void,
    private onStatus: (connected: boolean) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
  }

  /** Handles one message; returns whether it was new (not a replayed duplicate). */
  accept(e: HotlineEvent): boolean {
    if (typeof e.seq === "number") {
      if (this.lastSeq !== null && e.seq <= this.lastSeq) return false;
      this.lastSeq = e.seq;
    }
    this.onEvent(e);
    return true;
  }

  private open(): void {
    ticketFor(this.token).then(
      (ticket) => {
        if (!this.stopped) this.connect(ticket);
      },
      () => this.retry(),
    );
  }

  private retry(): void {
    this.onStatus(false);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.open(), backoff(this.attempt++));
  }

  private connect(ticket: string): void {
    const ws = new WebSocket(streamUrl(window.location, ticket, this.lastSeq));
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onStatus(true);
    };
    ws.onmessage = (m) => {
      try {
        this.accept(JSON.parse(String(m.data)) as HotlineEvent);
      } catch {
        // a message we cannot read changes nothing
      }
    };
    ws.onclose = () => this.retry();
  }
}
