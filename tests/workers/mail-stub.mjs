// A stand-in for the mail API (Resend-style) for tests/workers/: answers 200 to every
// request and appends it as one JSON line to the file in argv[3]. Listens on argv[2].
import http from 'node:http';
import { appendFileSync } from 'node:fs';

const [port, log] = [Number(process.argv[2]), process.argv[3]];
http
  .createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      appendFileSync(log, JSON.stringify({
        method: req.method,
        path: req.url,
        authorization: req.headers.authorization ?? null,
        contentType: req.headers['content-type'] ?? null,
        body,
      }) + '\n');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"stub"}');
    });
  })
  .listen(port, '127.0.0.1');
