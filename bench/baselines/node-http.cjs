// The floor of the Node stack: bare node:http doing the same job with no framework (the shared yardstick, copied).
// Parses the JSON body, checks the key with a regex, looks it up in a Map, answers JSON.
const http = require('node:http');
const fs = require('node:fs');
const data = new Map(Object.entries(JSON.parse(fs.readFileSync(process.env.KV_DATA, 'utf8'))));
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
function send(res, code, obj) {
  const out = JSON.stringify(obj);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
  res.end(out);
}
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let key;
    try { key = JSON.parse(Buffer.concat(chunks).toString('utf8')).key; } catch { return send(res, 400, { message: 'bad json' }); }
    if (typeof key !== 'string' || !UUID4.test(key)) return send(res, 400, { message: 'invalid key' });
    const v = data.get(key.toLowerCase());
    if (v === undefined) return send(res, 404, { message: 'not found' });
    send(res, 200, { value: v });
  });
}).listen(+process.env.PORT, '127.0.0.1');
