/** A real HTTP server on 127.0.0.1 for download tests: routes are plain handlers; requests are logged. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface TestServer {
  readonly url: string;
  /** Every request as `METHOD path status`. */
  readonly log: string[];
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/** Serve a body with an ETag; answers 304 to a matching If-None-Match. */
export function staticBody(
  body: Uint8Array | string,
  etag: string,
  contentType = 'application/octet-stream',
): Handler {
  return (req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    const buf = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    res.writeHead(200, { 'content-type': contentType, 'content-length': buf.length, etag });
    res.end(buf);
  };
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    res.on('finish', () => log.push(`${req.method} ${path} ${res.statusCode}`));
    res.on('close', () => {
      if (!res.writableFinished) log.push(`${req.method} ${path} aborted`);
    });
    const handler = routes.get(path);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    handler(req, res, n);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    route(path, handler) {
      routes.set(path, handler);
      hits.delete(path);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
