/**
 * Headless Chromium driven over the DevTools protocol, for the HTML report tests.
 *
 * The protocol runs over `--remote-debugging-pipe` (file descriptors 3 and 4, NUL-terminated JSON
 * messages) rather than a TCP port: no WebSocket client or extra dependency is needed (Node 20 has no
 * global WebSocket), and no port is opened, so nothing else on the machine can talk to the browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The browser binary: `CHROMIUM` from the environment, else Debian's `chromium` package. */
export function findChromium(): string | undefined {
  const candidates = [process.env['CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

type Json = Record<string, unknown>;
interface Pending {
  resolve(value: Json): void;
  reject(err: Error): void;
}
export interface CdpEvent {
  readonly method: string;
  readonly params: Json;
  readonly sessionId?: string;
}

const TIMEOUT_MS = 30_000;

/** One browser process and a DevTools connection to it. */
export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  private readonly listeners: ((e: CdpEvent) => void)[] = [];
  private readonly stderr: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    output: Readable,
    private readonly profile: string,
  ) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (this.stderr.length < 200) this.stderr.push(chunk);
    });
    child.on('exit', () => {
      for (const p of this.pending.values())
        p.reject(new Error(`chromium exited: ${this.stderr.join('').slice(-2000)}`));
      this.pending.clear();
    });
  }

  static launch(binary: string, width = 1440, height = 1800): Browser {
    const profile = mkdtempSync(join(tmpdir(), 'bulwark-chromium-'));
    const child = spawn(
      binary,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        `--window-size=${width},${height}`,
        `--user-data-dir=${profile}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    const input = child.stdio[3] as Writable;
    const output = child.stdio[4] as Readable;
    return new Browser(child, input, output, profile);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) !== -1) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      const msg = JSON.parse(text) as {
        id?: number;
        result?: Json;
        error?: { message: string };
        method?: string;
        params?: Json;
        sessionId?: string;
      };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`CDP error: ${msg.error.message}`));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) {
        const event: CdpEvent = {
          method: msg.method,
          params: msg.params ?? {},
          ...(msg.sessionId ? { sessionId: msg.sessionId } : {}),
        };
        for (const l of this.listeners) l(event);
      }
    }
  }

  /** Send a command (to a page when `sessionId` is given) and wait for its result. */
  send(method: string, params: Json = {}, sessionId?: string): Promise<Json> {
    const id = this.nextId++;
    return new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`CDP ${method} timed out`));
      }, TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  onEvent(listener: (e: CdpEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Wait for the first event matching `predicate`. */
  waitFor(predicate: (e: CdpEvent) => boolean, what: string): Promise<CdpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
      this.onEvent((e) => {
        if (predicate(e)) {
          clearTimeout(timer);
          resolve(e);
        }
      });
    });
  }

  /** Open a new page with the Network, Page, Runtime and Log domains on. */
  async newPage(): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as {
      targetId: string;
    };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as {
      sessionId: string;
    };
    const page = new Page(this, sessionId);
    this.onEvent((e) => {
      if (e.sessionId === sessionId) page.record(e);
    });
    for (const domain of ['Network', 'Page', 'Runtime', 'Log'])
      await this.send(`${domain}.enable`, {}, sessionId);
    return page;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    const within = (ms: number): Promise<unknown> =>
      Promise.race([exited, new Promise((r) => setTimeout(r, ms))]);
    this.send('Browser.close').catch(() => undefined); // the reply may never come: the browser is leaving
    await within(5_000);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await within(5_000);
    }
    // The profile is removed only once the browser (and its helpers) stopped writing to it.
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/** One tab: what it requested, logged and threw, plus helpers to drive it. */
export class Page {
  readonly requests: string[] = [];
  readonly errors: string[] = [];
  readonly dialogs: string[] = [];

  constructor(
    private readonly browser: Browser,
    readonly sessionId: string,
  ) {}

  record(e: CdpEvent): void {
    const p = e.params as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- protocol payloads
    switch (e.method) {
      case 'Network.requestWillBeSent':
        this.requests.push(String(p.request?.url));
        break;
      case 'Runtime.exceptionThrown':
        this.errors.push(
          `exception: ${String(p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text)}`,
        );
        break;
      case 'Runtime.consoleAPICalled':
        if (p.type === 'error' || p.type === 'warning')
          this.errors.push(`console.${String(p.type)}: ${JSON.stringify(p.args)}`);
        break;
      case 'Log.entryAdded':
        if (p.entry?.level === 'error' || p.entry?.level === 'warning')
          this.errors.push(`log: ${String(p.entry?.text)}`);
        break;
      case 'Page.javascriptDialogOpening':
        this.dialogs.push(String(p.message));
        void this.send('Page.handleJavaScriptDialog', { accept: true }).catch(() => undefined);
        break;
      default:
    }
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Navigate and wait for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.browser.waitFor(
      (e) => e.sessionId === this.sessionId && e.method === 'Page.loadEventFired',
      'load',
    );
    const result = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (result.errorText) throw new Error(`navigation failed: ${result.errorText}`);
    await loaded;
  }

  /** Evaluate an expression in the page and return its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    })) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails)
      throw new Error(
        `evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`,
      );
    return r.result.value as T;
  }

  /** Type text into the focused element as a user would (fires `input` events). */
  async type(text: string): Promise<void> {
    await this.send('Input.insertText', { text });
  }

  /** A PNG of the whole page. */
  async screenshot(): Promise<Buffer> {
    const { data } = (await this.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
    })) as { data: string };
    return Buffer.from(data, 'base64');
  }
}
