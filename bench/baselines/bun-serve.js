// The same job as node-http.cjs on Bun.serve: what another TypeScript runtime's HTTP stack costs (the shared yardstick, copied).
const fs = require('node:fs');
const data = new Map(Object.entries(JSON.parse(fs.readFileSync(process.env.KV_DATA, 'utf8'))));
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const json = (code, obj) => new Response(JSON.stringify(obj), { status: code, headers: { 'content-type': 'application/json' } });
Bun.serve({
  port: +process.env.PORT,
  hostname: '127.0.0.1',
  async fetch(req) {
    let key;
    try { key = (await req.json()).key; } catch { return json(400, { message: 'bad json' }); }
    if (typeof key !== 'string' || !UUID4.test(key)) return json(400, { message: 'invalid key' });
    const v = data.get(key.toLowerCase());
    if (v === undefined) return json(404, { message: 'not found' });
    return json(200, { value: v });
  },
});
