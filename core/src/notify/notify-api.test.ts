import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

interface Received { path: string; headers: IncomingMessage['headers']; body: unknown }

/** Notifications through the real API to a local SMTP server and a local HTTP server. */
describe('notify api', () => {
  let s: TestServer;
  let smtp: SMTPServer;
  let hooks: Server;
  let other: Server;
  let hookOrigin = '';
  let otherOrigin = '';
  const mails: { from: string; to: string[]; data: string }[] = [];
  const received: Received[] = [];
  let otherHits = 0;
  const send = (body: unknown) => s.admin.call<Record<string, unknown>>('POST', '/api/v1/projects/ops/notifications', body);

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const smtpPort = (smtp.server.address() as AddressInfo).port;

    hooks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        received.push({ path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : null });
        if (req.url?.startsWith('/slack')) return void res.end('ok');
        if (req.url?.startsWith('/wecom-bad')) return void res.end(JSON.stringify({ errcode: 93000, errmsg: 'invalid webhook url' }));
        if (req.url?.startsWith('/wecom')) return void res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
        if (req.url?.startsWith('/feishu')) return void res.end(JSON.stringify({ code: 0, msg: 'success' }));
        if (req.url?.startsWith('/redirect')) return void res.writeHead(302, { location: `${otherOrigin}/x` }).end();
        if (req.url?.startsWith('/big')) return void res.end('y'.repeat(1024 * 1024));
        if (req.url?.startsWith('/fail')) return void res.writeHead(500).end('boom');
        res.writeHead(202).end();
      });
    });
    hookOrigin = await listen(hooks);
    other = createServer((_req, res) => { otherHits++; res.end(); });
    otherOrigin = await listen(other);

    s = await startTestServer({
      OPSLOOM_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, OPSLOOM_SMTP_FROM: 'Opsloom <ops@example.test>', OPSLOOM_NOTIFY_ORIGINS: hookOrigin,
    });
    await s.admin.call('POST', '/api/v1/projects', { key: 'ops', name: 'Ops' });
  });
  after(async () => {
    await s.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    hooks.close();
    other.close();
  });

  test('e-mail goes through the configured SMTP server', async () => {
    const r = await send({ channel: 'email', to: ['alice@example.test', 'bob@example.test'], subject: 'Deploy finished', text: 'v2 is live', html: '<p>v2 is <b>live</b></p>' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.delivered, true);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.from, 'ops@example.test');
    assert.deepEqual(mails[0]!.to, ['alice@example.test', 'bob@example.test']);
    assert.match(mails[0]!.data, /Subject: Deploy finished/);
    assert.match(mails[0]!.data, /v2 is live/);
    const bad = await send({ channel: 'email', to: ['not-an-address'], subject: 'x', text: 'y' });
    assert.equal(bad.status, 400);
  });

  test('a generic webhook receives the JSON body and headers', async () => {
    const r = await send({ channel: 'webhook', url: `${hookOrigin}/hook?x=1`, body: { event: 'deployed', version: 2 }, headers: { 'x-token': 'abc' } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { delivered: true, detail: 'HTTP 202' });
    const got = received.at(-1)!;
    assert.equal(got.path, '/hook?x=1');
    assert.deepEqual(got.body, { event: 'deployed', version: 2 });
    assert.equal(got.headers['x-token'], 'abc');
    assert.match(String(got.headers['content-type']), /application\/json/);
  });

  test('Slack, WeCom and Feishu receive their own formats; a webhook may come from a secret', async () => {
    assert.equal((await send({ channel: 'slack', webhook: `${hookOrigin}/slack/T1`, title: 'Deploy', text: 'done' })).status, 200);
    assert.deepEqual(received.at(-1)!.body, { text: '*Deploy*\ndone' });

    assert.equal((await s.admin.call('POST', '/api/v1/projects/ops/secrets', { name: 'wecom-room', value: `${hookOrigin}/wecom/send?key=k1` })).status, 201);
    const wecom = await send({ channel: 'wecom', webhook: 'secret:wecom-room', text: 'plain text' });
    assert.equal(wecom.status, 200, JSON.stringify(wecom.body));
    assert.equal(received.at(-1)!.path, '/wecom/send?key=k1');
    assert.deepEqual(received.at(-1)!.body, { msgtype: 'text', text: { content: 'plain text' } });
    await send({ channel: 'wecom', webhook: `${hookOrigin}/wecom/send`, title: 'T', text: 'md' });
    assert.deepEqual(received.at(-1)!.body, { msgtype: 'markdown', markdown: { content: '### T\nmd' } });

    assert.equal((await send({ channel: 'feishu', webhook: `${hookOrigin}/feishu/hook/abc`, text: 'hi' })).status, 200);
    assert.deepEqual(received.at(-1)!.body, { msg_type: 'text', content: { text: 'hi' } });
    await send({ channel: 'feishu', webhook: `${hookOrigin}/feishu/hook/abc`, title: 'Release', text: 'hi' });
    assert.deepEqual(received.at(-1)!.body, { msg_type: 'post', content: { post: { zh_cn: { title: 'Release', content: [[{ tag: 'text', text: 'hi' }]] } } } });

    const refused = await send({ channel: 'wecom', webhook: `${hookOrigin}/wecom-bad`, text: 'x' });
    assert.equal(refused.status, 502);
    assert.match(String(refused.body.detail), /errcode 93000/);
    const missing = await send({ channel: 'slack', webhook: 'secret:nope', text: 'x' });
    assert.equal(missing.status, 404);
  });

  test('a disallowed origin, a redirect and a failing hook are refused; big answers are capped', async () => {
    const r = await send({ channel: 'webhook', url: `${otherOrigin}/steal`, body: {} });
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'notify_origin_not_allowed');
    assert.equal((await send({ channel: 'slack', webhook: `${otherOrigin}/slack`, text: 'x' })).status, 403);
    const redirect = await send({ channel: 'webhook', url: `${hookOrigin}/redirect`, body: {} });
    assert.equal(redirect.status, 502);
    assert.match(String(redirect.body.detail), /redirect/);
    assert.equal(otherHits, 0, 'nothing ever reached the other origin');
    const fail = await send({ channel: 'webhook', url: `${hookOrigin}/fail`, body: {} });
    assert.equal(fail.status, 502);
    assert.equal(fail.body.code, 'notify_delivery_failed');
    assert.equal((await send({ channel: 'webhook', url: `${hookOrigin}/big`, body: {} })).status, 200);
    assert.equal((await send({ channel: 'webhook', url: 'file:///etc/passwd', body: {} })).status, 502);
  });
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}
