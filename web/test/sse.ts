import { type IncomingMessage, request } from 'node:http';
import { Readable } from 'node:stream';

/** An HTTP answer read as a stream; `close()` drops the connection, as a browser leaving the page. */
export interface StreamingResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: ReadableStream<Uint8Array>;
  json(): Promise<unknown>;
  close(): void;
}

/**
 * A GET on its own connection (no keep-alive pool): what the test opens, the test closes, so the
 * server under test can shut down without waiting for sockets a client pool kept around.
 */
export function get(url: string, headers: Record<string, string> = {}): Promise<StreamingResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (res) => {
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Readable.toWeb(res) as ReadableStream<Uint8Array>,
        json: async () => {
          const chunks: Buffer[] = [];
          for await (const chunk of res) chunks.push(chunk as Buffer);
          return JSON.parse(Buffer.concat(chunks).toString('utf8'));
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** One parsed Server-Sent Event. */
export interface ServerEvent {
  event: string;
  data: unknown;
}

/** Reads an event stream from `fetch` as a browser's EventSource would, for assertions. */
export class EventReader {
  readonly comments: string[] = [];
  private readonly events: ServerEvent[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';
  ended = false;

  constructor(private readonly response: StreamingResponse) {
    this.reader = response.body.getReader();
  }

  /** The next event matching `predicate` (earlier ones are skipped); fails after `timeoutMs`. */
  async next(
    predicate: (event: ServerEvent) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<ServerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.events.length > 0) {
        const event = this.events.shift() as ServerEvent;
        if (predicate(event)) return event;
      }
      if (this.ended) throw new Error('the event stream ended');
      await this.read(deadline);
    }
  }

  /** Resolves when the server ends the stream; fails after `timeoutMs`. */
  async end(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) await this.read(deadline);
  }

  /** Waits until a comment such as `ping` arrives. */
  async comment(text: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.comments.includes(text)) await this.read(deadline);
  }

  /** Goes away, as a closed browser tab does. */
  cancel(): void {
    this.response.close();
  }

  private async read(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('timed out waiting for the event stream');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out waiting for the event stream')), left);
    });
    try {
      const { done, value } = await Promise.race([this.reader.read(), timeout]);
      if (done) {
        this.ended = true;
        return;
      }
      this.buffer += this.decoder.decode(value, { stream: true });
      this.parse();
    } finally {
      clearTimeout(timer);
    }
  }

  private parse(): void {
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
      end = this.buffer.indexOf('\n\n');
    }
  }
}
