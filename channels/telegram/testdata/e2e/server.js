// Test harness for e2e_test.go: starts the telegram-test-api Bot API emulator on the port
// given as the first argument, and in front of it a small proxy that re-encodes the
// multipart/form-data bodies go-telegram/bot sends (the emulator parses only JSON and
// urlencoded bodies) as application/x-www-form-urlencoded. Everything else passes through.
//
// Run: node --unhandled-rejections=warn server.js EMULATOR_PORT
// Prints one line, {"proxy":PORT,"emulator":PORT}, once both listen; exits when stdin closes.
'use strict';

const http = require('http');
const TelegramServer = require('telegram-test-api');

const emulatorPort = Number(process.argv[2]);
if (!emulatorPort) {
  console.error('usage: server.js EMULATOR_PORT');
  process.exit(2);
}

// parseMultipart returns the text fields of a multipart/form-data body.
function parseMultipart(body, boundary) {
  const fields = {};
  const text = body.toString('utf8');
  for (const part of text.split('--' + boundary)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue; // preamble, or the closing "--"
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head);
    if (!name) continue;
    let value = part.slice(sep + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    fields[name[1]] = value;
  }
  return fields;
}

function proxy(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    const headers = { ...req.headers };
    delete headers['transfer-encoding'];
    const m = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(headers['content-type'] || '');
    if (m) {
      body = Buffer.from(new URLSearchParams(parseMultipart(body, m[1] || m[2])).toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    headers['content-length'] = String(body.length);
    const up = http.request(
      { host: '127.0.0.1', port: emulatorPort, method: req.method, path: req.url, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 502, description: String(err) }));
    });
    up.end(body);
  });
}

async function main() {
  const emulator = new TelegramServer({ port: emulatorPort, host: '127.0.0.1', storeTimeout: 600 });
  await emulator.start();
  const server = http.createServer(proxy);
  await new Promise((resolve, reject) => {
    server.listen(0, '127.0.0.1').once('listening', resolve).once('error', reject);
  });
  console.log(JSON.stringify({ proxy: server.address().port, emulator: emulatorPort }));
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
