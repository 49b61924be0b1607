// app.test.mjs: uktv-guide's signed-in page (app/) in headless Chromium,
// against uktv-api, driven with puppeteer-core (tests/package.json) through
// the DevTools protocol.  tests/app.bats sets it up and reads its results.
//
// One browser for every check (a launch is the slowest step).  The site is
// served from a small static server on 127.0.0.1 whose port differs from
// the API's, so every call is cross-origin (CORS).  Poster requests are
// answered here with a generated PNG (request interception): nothing leaves
// the machine.  The hosted UI is not there (moto has none): its URLs are
// caught, compared and answered with a stub page.
//
// Environment (all set by tests/app.bats):
//   APP_SITE      the folder uktv-guide wrote (the page is APP_SITE/app/)
//   APP_API       uktv-api's base URL
//   APP_TOKEN_FILE  a valid ID token (a file: never in argv or the environment)
//   APP_TABLE     the table                  APP_USER   the token's sub
//   APP_DOMAIN    --cognito-domain           APP_CLIENT --client-id
//   APP_XSS_ID    the title whose name is HTML
//   APP_GENRE     a genre id the user does not follow yet
//   APP_SHOTS     where screenshots go       APP_RESULTS the results file
//   APP_PORT      the static server's port (uktv-api's --cors-origin names it)
//   APP_CHROMIUM  the browser (default /usr/bin/chromium)
//
// Writes APP_RESULTS: {"check name": {"ok": bool, "detail": "..."}} and
// prints one line per check.  Waits are bounded (waitForSelector/
// waitForFunction with a timeout), never fixed sleeps.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import puppeteer from 'puppeteer-core';

const env = (k) => {
	if (!process.env[k])
		throw new Error(`${k} is not set`);
	return process.env[k];
};
const SITE = env('APP_SITE');
const API = env('APP_API').replace(/\/+$/, '');
const API_ORIGIN = new URL(API).origin;
const TOKEN = fs.readFileSync(env('APP_TOKEN_FILE'), 'utf8').trim();
const TABLE = env('APP_TABLE');
const USER = env('APP_USER');
const DOMAIN = env('APP_DOMAIN');
const CLIENT = env('APP_CLIENT');
const XSS_ID = env('APP_XSS_ID');
const GENRE = env('APP_GENRE');
const SHOTS = env('APP_SHOTS');
const RESULTS = env('APP_RESULTS');
const WAIT = 15000;
const XSS_NAME = '<img src=x onerror=alert(1)>';

const results = {};
function check(name, ok, detail) {
	results[name] = { ok: !!ok, detail: detail === undefined ? '' : String(detail) };
	console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ': ' + detail : ''}`);
}
async function step(name, fn) {
	try {
		await fn();
	} catch (e) {
		check(name, false, e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e);
	}
}
function same(a, b) {
	return JSON.stringify(a) === JSON.stringify(b);
}

// uktv-prefs, the operator's view of the same table.
function prefs(...args) {
	return execFileSync('uktv-prefs', ['-t', TABLE, ...args], { encoding: 'utf8' });
}
const lines = (s) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l));
const prefIds = (cmd) => lines(prefs(cmd, USER, '--enriched-only')).map((t) => t.id);
const stored = () => JSON.parse(prefs('get', USER));

// ---- a poster: a 120x180 PNG in a colour of the URL's own ----

function crc32(buf) {
	let c, crc = 0xffffffff;
	for (const b of buf) {
		c = (crc ^ b) & 0xff;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		crc = (crc >>> 8) ^ c;
	}
	return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}
function poster(url) {
	const w = 120, h = 180;
	let seed = 0;
	for (const ch of url)
		seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
	const [r, g, b] = [seed & 0x7f, (seed >> 8) & 0x7f, (seed >> 16) & 0x7f];
	const raw = Buffer.alloc((w * 3 + 1) * h);
	for (let y = 0; y < h; y++) {
		raw[y * (w * 3 + 1)] = 0;
		for (let x = 0; x < w; x++) {
			const o = y * (w * 3 + 1) + 1 + x * 3;
			const shade = Math.floor(y * 110 / h);
			raw[o] = r + shade;
			raw[o + 1] = g + shade;
			raw[o + 2] = b + shade;
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// ---- the static server: the site folder, nothing else ----

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8' };
const server = http.createServer((req, res) => {
	const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
	const file = path.join(SITE, path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
	if (!file.startsWith(SITE) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
		res.writeHead(404, { 'Content-Type': 'text/plain' });
		res.end('not here');
		return;
	}
	res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
	fs.createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(+env('APP_PORT'), '127.0.0.1', ok));
const ORIGIN = `http://127.0.0.1:${server.address().port}`;
const PAGE = `${ORIGIN}/app/index.html`;

// ---- the browser ----

const browser = await puppeteer.launch({
	executablePath: process.env.APP_CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
	    '--disable-background-networking', '--disable-component-update',
	    '--disable-sync', '--disable-default-apps']
});

// A page with its own record: console errors, script errors, CSP
// violations, dialogs (alert), API requests and hosted-UI navigations.
async function open(opts = {}) {
	const page = await browser.newPage();
	const log = { errors: [], api: [], hosted: [], dialogs: [], images: [] };
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warn')
			log.errors.push(`console ${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => log.errors.push(`page error: ${e.message}`));
	page.on('dialog', async (d) => {
		log.dialogs.push(d.message());
		await d.dismiss();
	});
	await page.setRequestInterception(true);
	page.on('request', (req) => {
		const url = req.url();
		if (url.startsWith(API_ORIGIN + '/')) {
			const what = `${req.method()} ${url.slice(API_ORIGIN.length)}`;
			log.api.push(what);
			// opts.fail: answers the API gives once, as a store that
			// is down would (uktv-api's 503), CORS headers and all.
			if (opts.fail && opts.fail.has(what) && req.method() !== 'OPTIONS') {
				opts.fail.delete(what);
				return req.respond({ status: 503, contentType: 'application/json',
				    headers: { 'Access-Control-Allow-Origin': '*' },
				    body: '{"error":"the table cannot be read: ServiceUnavailable"}' });
			}
			return req.continue();
		}
		if (url.startsWith(`https://${DOMAIN}/`)) {
			// Navigations only: the stand-in's own favicon is not one.
			if (!req.isNavigationRequest())
				return req.respond({ status: 200, contentType: 'image/png', body: poster(url) });
			log.hosted.push(url);
			return req.respond({ status: 200, contentType: 'text/html',
			    body: '<!DOCTYPE html><title>hosted UI</title><p>hosted UI stand-in</p>' });
		}
		if (req.resourceType() === 'image') {
			log.images.push(url);
			if (url.startsWith('https://'))
				return req.respond({ status: 200, contentType: 'image/png', body: poster(url) });
			return req.respond({ status: 404, body: '' });
		}
		if (url.startsWith(ORIGIN + '/') || url.startsWith('data:') || url === 'about:blank')
			return req.continue();
		log.errors.push(`request off the machine: ${url}`);
		return req.abort();
	});
	await page.evaluateOnNewDocument((late) => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation',
		    (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
		if (late) {
			const now = Date.now.bind(Date);
			Date.now = () => now() + late;
		}
	}, opts.late || 0);
	await page.setViewport({ width: 1280, height: 900 });
	return { page, log };
}

const cards = (page, view) => page.$$eval(`#view-${view} .cards .fav`,
    (bs) => bs.map((b) => b.dataset.id));
const visible = (page, sel) => page.waitForSelector(sel, { visible: true, timeout: WAIT });
// Every poster in the window has loaded (they are lazy: only those).
const postersIn = (page) => page.waitForFunction(() => [...document.images]
    .filter((i) => { const r = i.getBoundingClientRect(); return r.width > 0 && r.top < innerHeight && r.bottom > 0; })
    .every((i) => i.complete), { timeout: WAIT });
async function shoot(page, name) {
	const files = [];
	for (const [w, h] of [[1280, 900], [390, 844]]) {
		await page.setViewport({ width: w, height: h });
		await postersIn(page);
		const f = path.join(SHOTS, `app-${name}-${w}x${h}.png`);
		await page.screenshot({ path: f });
		files.push(f);
	}
	await page.setViewport({ width: 1280, height: 900 });
	return files;
}
const shots = [];
async function showView(page, view) {
	await page.click(`#views button[data-view="${view}"]`);
	await visible(page, `#view-${view}`);
	await page.waitForFunction((v) => {
		const s = document.getElementById('view-' + v);
		return s.getAttribute('aria-busy') === 'false' && !s.querySelector('.state.loading') &&
		    (v !== 'choices' || !document.getElementById('choices').hidden);
	}, { timeout: WAIT }, view);
}

const { page, log } = await open();
await page.goto(`${PAGE}#id_token=${TOKEN}`, { waitUntil: 'domcontentloaded' });

await step('the token leaves the address bar and is kept for the tab', async () => {
	await visible(page, '#who');
	const url = page.url();
	const kept = await page.evaluate(() => sessionStorage.getItem('uktv.idToken'));
	const hist = await page.evaluate(() => history.length);
	check('the token leaves the address bar and is kept for the tab',
	    url === PAGE && !url.includes('id_token') && kept === TOKEN,
	    `url ${url}, history ${hist}, kept ${kept === TOKEN}`);
});

await step('the greeting names the signed-in user', async () => {
	const claims = JSON.parse(Buffer.from(TOKEN.split('.')[1], 'base64url'));
	const who = await page.$eval('#who', (e) => e.textContent);
	const want = claims.email || claims['cognito:username'];
	check('the greeting names the signed-in user', who === `Signed in as ${want}`, who);
});

await step('My guide lists exactly uktv-prefs titles --enriched-only, in its order', async () => {
	await page.waitForSelector('#view-guide[aria-busy="false"] .cards .card', { timeout: WAIT });
	const got = await cards(page, 'guide');
	const want = prefIds('titles');
	check('My guide lists exactly uktv-prefs titles --enriched-only, in its order',
	    want.length > 1 && same(got, want), `page ${got.join(',')} | uktv-prefs ${want.join(',')}`);
	await postersIn(page);
	const posters = await page.$$eval('#view-guide .card img', (is) => [is.length,
	    is.filter((i) => i.complete && i.naturalWidth === 120).length]);
	// Year and type on one line, the rating (when there is one) below.
	const meta = await page.$$eval('#view-guide .card .meta', (ps) => ps.map((p) =>
	    [p.querySelector('.yt').textContent, p.querySelector('.rate').textContent]));
	const titles = lines(prefs('titles', USER, '--enriched-only'));
	const metaOk = titles.every((t, i) => meta[i] &&
	    (t.year === undefined ? !/^\d{4}/.test(meta[i][0]) : meta[i][0].startsWith(`${t.year} · `)) &&
	    meta[i][1] === (t.user_rating > 0 ? `rated ${t.user_rating}` : ''));
	check('cards show a poster, year, type and rating',
	    posters[0] === want.length && posters[1] > 0 && metaOk,
	    `${posters[0]} posters for ${want.length} titles, ${posters[1]} in view loaded; ${JSON.stringify(meta)}`);
	shots.push(...await shoot(page, 'guide'));
});

await step('a title named with HTML shows as text and runs nothing', async () => {
	const name = await page.$eval(`#view-guide .fav[data-id="${XSS_ID}"]`,
	    (b) => b.closest('.card').querySelector('.name').textContent);
	const injected = await page.evaluate(() =>
	    [...document.images].filter((i) => i.getAttribute('src') === 'x').length +
	    document.querySelectorAll('[onerror]').length);
	check('a title named with HTML shows as text and runs nothing',
	    name === XSS_NAME && injected === 0 && log.dialogs.length === 0 &&
	    !log.images.some((u) => u.endsWith('/x')),
	    `name ${JSON.stringify(name)}, injected ${injected}, dialogs ${log.dialogs.length}`);
});

await step('the detail panel: plot, source and genre names, where to watch, the public page', async () => {
	const want = lines(prefs('titles', USER, '--enriched-only'))[0];
	const srcNames = new Map(lines(prefs('sources')).map((s) => [s.id, s.name]));
	const genNames = new Map(lines(prefs('genres')).map((s) => [s.id, s.name]));
	await page.click('#view-guide .card .open');
	await visible(page, '#detail[open] #detail-title');
	const d = await page.$eval('#detail', (e) => ({
		title: e.querySelector('#detail-title').textContent,
		plot: e.querySelector('.plot').textContent,
		facts: [...e.querySelectorAll('.facts dd')].map((x) => x.textContent),
		watch: [...e.querySelectorAll('.watch a')].map((a) => a.href),
		pub: e.querySelector('.public a').href,
		focus: document.activeElement.id
	}));
	const offers = (want.sources || []).filter((o) => o.web_url).map((o) => new URL(o.web_url).href);
	const pub = await fetch(d.pub);
	check('the detail panel: plot, source and genre names, where to watch, the public page',
	    d.title === want.title && d.plot === want.plot_overview &&
	    d.facts[0] === want.source_ids.map((i) => srcNames.get(i)).join(', ') &&
	    d.facts[1] === want.genre_ids.map((i) => genNames.get(i)).join(', ') &&
	    same(d.watch, offers) && d.pub === `${ORIGIN}/titles/${want.id}.html` && pub.ok &&
	    d.focus === 'detail-close',
	    JSON.stringify({ ...d, offers, pub: `${d.pub} ${pub.status}` }));
	shots.push(...await shoot(page, 'detail'));
	await page.keyboard.press('Escape');
	await page.waitForSelector('#detail:not([open])', { timeout: WAIT });
	const back = await page.evaluate(() => document.activeElement.classList.contains('open'));
	check('Escape closes the panel and focus goes back to the card', back);
});

await step('a star adds a favourite that uktv-prefs get reads', async () => {
	const id = (await cards(page, 'guide'))[1];
	await page.click(`#view-guide .fav[data-id="${id}"]`);
	await page.waitForSelector(`#view-guide .fav[data-id="${id}"][aria-pressed="true"]`, { timeout: WAIT });
	const got = stored();
	check('a star adds a favourite that uktv-prefs get reads', got.favourites.includes(id),
	    JSON.stringify(got));
});

await step('Recommendations lists exactly uktv-prefs recommendations --enriched-only', async () => {
	await showView(page, 'recs');
	const got = await cards(page, 'recs');
	const want = prefIds('recommendations');
	check('Recommendations lists exactly uktv-prefs recommendations --enriched-only',
	    want.length > 0 && same(got, want), `page ${got.join(',')} | uktv-prefs ${want.join(',')}`);
	shots.push(...await shoot(page, 'recommendations'));
});

await step('My choices: every source and genre by name, the stored ones ticked, favourites listed', async () => {
	await showView(page, 'choices');
	const boxes = await page.$$eval('#choices input[type=checkbox]', (bs) => bs.map((b) => ({
		kind: b.name, id: b.value, on: b.checked,
		label: b.closest('label') ? b.closest('label').textContent.trim() : null
	})));
	const s = stored();
	const want = (kind, cmd, on) => lines(prefs(cmd)).map((x) => `${kind}:${x.id}:${x.name}:${on.includes(x.id)}`).sort();
	const got = (kind) => boxes.filter((b) => b.kind === kind).map((b) => `${kind}:${b.id}:${b.label}:${b.on}`).sort();
	const favs = await page.$$eval('#favourites li .name', (ns) => ns.map((n) => n.textContent));
	const known = new Map(lines(prefs('titles', USER)).map((t) => [t.id, t.title]));
	check('My choices: every source and genre by name, the stored ones ticked, favourites listed',
	    same(got('source'), want('source', 'sources', s.sources)) &&
	    same(got('genre'), want('genre', 'genres', s.genres)) &&
	    boxes.every((b) => b.label) &&
	    same(favs, s.favourites.map((f) => known.get(f) || `Title ${f}`)),
	    `${boxes.length} boxes, ticked ${boxes.filter((b) => b.on).map((b) => b.id).join(',')}; favourites ${favs.join(' / ')}`);
	shots.push(...await shoot(page, 'choices'));
});

await step('ticking a genre and saving changes what uktv-prefs get reads', async () => {
	const before = stored();
	await page.click(`#choices input[name=genre][value="${GENRE}"]`);
	await page.click('#save');
	await page.waitForFunction(() => /^(Saved|Not saved)/.test(document.getElementById('saved').textContent),
	    { timeout: WAIT });
	const said = await page.$eval('#saved', (e) => e.textContent);
	const after = stored();
	check('ticking a genre and saving changes what uktv-prefs get reads',
	    said.startsWith('Saved') && !before.genres.includes(GENRE) && after.genres.includes(GENRE) &&
	    same(after.sources, before.sources) && same(after.favourites, before.favourites),
	    `${said}; before ${JSON.stringify(before.genres)}, after ${JSON.stringify(after.genres)}`);
	await showView(page, 'guide');
	const got = await cards(page, 'guide');
	const want = prefIds('titles');
	check('after saving, My guide is uktv-prefs titles again', same(got, want),
	    `page ${got.length}, uktv-prefs ${want.length}`);
});

await step('a favourite is removed from My choices', async () => {
	await showView(page, 'choices');
	const before = stored().favourites;
	await page.click('#favourites .remove');
	await page.waitForFunction((n) => document.querySelectorAll('#favourites .remove').length === n,
	    { timeout: WAIT }, before.length - 1);
	const after = stored().favourites;
	check('a favourite is removed from My choices', before.length === 1 && after.length === 0,
	    `${before} -> ${after}`);
});

await step('keyboard: buttons are buttons, every checkbox labelled, no inline handlers, focus visible', async () => {
	const r = await page.evaluate(() => {
		const all = [...document.querySelectorAll('*')];
		const inline = all.filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length;
		const clickable = all.filter((e) => e.matches('[role=button], a:not([href]), div[tabindex], span[tabindex]')).length;
		const unlabelled = [...document.querySelectorAll('input')].filter((i) => !i.labels || i.labels.length === 0).length;
		return { inline, clickable, unlabelled };
	});
	// Tab from the top: the page's own controls in reading order.
	// From the top of the page: focus on <body> moves the starting point.
	await page.evaluate(() => {
		document.body.tabIndex = -1;
		document.body.focus();
		document.body.removeAttribute('tabindex');
	});
	const order = [];
	for (let i = 0; i < 6; i++) {
		await page.keyboard.press('Tab');
		order.push(await page.evaluate(() => {
			const e = document.activeElement;
			const ring = getComputedStyle(e).outlineStyle !== 'none';
			return `${e.tagName.toLowerCase()}:${e.id || e.dataset.view || e.textContent.trim()}${ring ? '' : '(no ring)'}`;
		}));
	}
	const want = ['a:UK TV guide', 'button:sign-out', 'button:guide', 'button:recs', 'button:choices'];
	check('keyboard: buttons are buttons, every checkbox labelled, no inline handlers, focus visible',
	    r.inline === 0 && r.clickable === 0 && r.unlabelled === 0 && same(order.slice(0, 5), want),
	    `${JSON.stringify(r)} tab order ${order.join(' > ')}`);
	// Enter on a card opens its panel.
	await showView(page, 'guide');
	await page.focus('#view-guide .card .open');
	await page.keyboard.press('Enter');
	await visible(page, '#detail[open]');
	await page.keyboard.press('Escape');
	await page.waitForSelector('#detail:not([open])', { timeout: WAIT });
	check('Enter on a card opens its detail panel', true);
});

await step('one column under 600 px, a grid on a wide screen', async () => {
	const cols = async () => page.$$eval('#view-guide .card', (cs) => new Set(cs.map((c) => c.getBoundingClientRect().left)).size);
	const wide = await cols();
	await page.setViewport({ width: 390, height: 844 });
	const narrow = await cols();
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
	await page.setViewport({ width: 1280, height: 900 });
	check('one column under 600 px, a grid on a wide screen', wide > 1 && narrow === 1 && !overflow,
	    `${wide} columns at 1280, ${narrow} at 390, overflow ${overflow}`);
});

await step('the Content-Security-Policy allows only the page, its API and https images', async () => {
	const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
	const v = await page.evaluate(() => window.__csp);
	check('the Content-Security-Policy allows only the page, its API and https images',
	    csp === `default-src 'none'; script-src 'self'; style-src 'self'; img-src https:; connect-src ${API_ORIGIN}; base-uri 'none'; form-action 'none'` &&
	    v.length === 0, `${csp}; violations ${JSON.stringify(v)}`);
});

await step('a failing API shows its error and "Try again" loads the view', async () => {
	const p = await open({ fail: new Set(['GET /recommendations']) });
	await p.page.goto(`${PAGE}#id_token=${TOKEN}`, { waitUntil: 'domcontentloaded' });
	await p.page.waitForSelector('#view-guide[aria-busy="false"] .cards .card', { timeout: WAIT });
	await p.page.click('#views button[data-view="recs"]');
	await p.page.waitForSelector('#notice.error button', { visible: true, timeout: WAIT });
	const said = await p.page.$eval('#notice', (e) => e.textContent);
	shots.push(...await shoot(p.page, 'error'));
	await p.page.click('#notice button');
	await p.page.waitForSelector('#view-recs[aria-busy="false"] .cards .card', { timeout: WAIT });
	const got = await cards(p.page, 'recs');
	const other = p.log.errors.filter((e) => !/status of 503/.test(e));
	check('a failing API shows its error and "Try again" loads the view',
	    said === 'Could not load this view: the table cannot be read: ServiceUnavailable Try again' &&
	    same(got, prefIds('recommendations')) && other.length === 0,
	    `${said}; then ${got.length} titles; ${JSON.stringify(p.log.errors)}`);
	await p.page.close();
});

await step('an expired token: "Sign in again" and no further API calls', async () => {
	// The same page an hour and more later: the next view asks nothing.
	const n = log.api.length;
	await page.evaluate(() => {
		const now = Date.now.bind(Date);
		Date.now = () => now() + 2 * 3600 * 1000;
	});
	await page.click('#views button[data-view="recs"]');
	await visible(page, '#sign-in');
	const text = await page.$eval('#sign-in', (b) => b.textContent);
	const note = await page.$eval('#notice', (e) => e.textContent);
	const nav = await page.$eval('#views', (e) => e.hidden);
	await page.waitForNetworkIdle({ idleTime: 200, timeout: WAIT });
	const later = log.api.slice(n);
	shots.push(...await shoot(page, 'expired'));
	// A tab opened with a token already past its exp asks nothing at all.
	const fresh = await open({ late: 2 * 3600 * 1000 });
	await fresh.page.goto(`${PAGE}#id_token=${TOKEN}`, { waitUntil: 'domcontentloaded' });
	await visible(fresh.page, '#sign-in');
	const text2 = await fresh.page.$eval('#sign-in', (b) => b.textContent);
	await fresh.page.waitForNetworkIdle({ idleTime: 200, timeout: WAIT });
	check('an expired token: "Sign in again" and no further API calls',
	    text === 'Sign in again' && nav && later.length === 0 && text2 === 'Sign in again' &&
	    fresh.log.api.length === 0 && fresh.log.errors.length === 0 && !fresh.page.url().includes('id_token'),
	    `${note}; calls after expiry ${JSON.stringify(later)}, fresh tab ${JSON.stringify(fresh.log.api)} ${fresh.log.errors}`);
	await fresh.page.close();
});

await step('a token the API refuses (401): "Sign in again", then nothing more', async () => {
	// Same claims, broken signature: the page cannot tell, uktv-api can.
	const parts = TOKEN.split('.');
	const sig = Buffer.from(parts[2], 'base64url');
	sig[0] ^= 1;
	const bad = `${parts[0]}.${parts[1]}.${sig.toString('base64url')}`;
	const p = await open();
	await p.page.goto(`${PAGE}#id_token=${bad}`, { waitUntil: 'domcontentloaded' });
	await p.page.waitForFunction(() => document.getElementById('sign-in').textContent === 'Sign in again' &&
	    !document.getElementById('sign-in').hidden, { timeout: WAIT });
	await p.page.waitForNetworkIdle({ idleTime: 200, timeout: WAIT });
	const n = p.log.api.length;
	await p.page.evaluate(() => document.querySelector('#views button[data-view="choices"]').click());
	await p.page.waitForNetworkIdle({ idleTime: 200, timeout: WAIT });
	const kept = await p.page.evaluate(() => sessionStorage.getItem('uktv.idToken'));
	// The 401 answers are logged by Chromium as failed loads: the only
	// console lines this tab may have.
	const other = p.log.errors.filter((e) => !/status of 401/.test(e));
	check('a token the API refuses (401): "Sign in again", then nothing more',
	    n > 0 && p.log.api.length === n && kept === null && other.length === 0,
	    `calls ${JSON.stringify(p.log.api)}, kept ${kept}, errors ${JSON.stringify(p.log.errors)}`);
	await p.page.close();
});

await step('"Sign in" goes to the hosted UI\'s exact URL', async () => {
	const p = await open();
	await p.page.goto(PAGE, { waitUntil: 'domcontentloaded' });
	await visible(p.page, '#sign-in');
	shots.push(...await shoot(p.page, 'signed-out'));
	const label = await p.page.$eval('#sign-in', (b) => b.textContent);
	await Promise.all([p.page.waitForNavigation({ timeout: WAIT }), p.page.click('#sign-in')]);
	const want = `https://${DOMAIN}/login?response_type=token&client_id=${CLIENT}` +
	    `&redirect_uri=${encodeURIComponent(PAGE)}&scope=openid+email+profile`;
	check('"Sign in" goes to the hosted UI\'s exact URL',
	    label === 'Sign in' && same(p.log.hosted, [want]) && p.log.api.length === 0,
	    `${JSON.stringify(p.log.hosted)} want ${want}; api ${p.log.api.length}`);
	await p.page.close();
});

// Last on the main tab: it leaves the page.
await step('"Sign out" clears the token and goes to the hosted UI\'s logout', async () => {
	// The expired tab has no Sign out: sign in again, in this same tab
	// (from another document: a change of fragment alone is no load).
	await page.goto('about:blank');
	await page.goto(`${PAGE}#id_token=${TOKEN}`, { waitUntil: 'domcontentloaded' });
	await visible(page, '#sign-out');
	await Promise.all([page.waitForNavigation({ timeout: WAIT }), page.click('#sign-out')]);
	const want = `https://${DOMAIN}/logout?client_id=${CLIENT}&logout_uri=${encodeURIComponent(PAGE)}`;
	await page.goto(PAGE, { waitUntil: 'domcontentloaded' });
	await visible(page, '#sign-in');
	const label = await page.$eval('#sign-in', (b) => b.textContent);
	check('"Sign out" clears the token and goes to the hosted UI\'s logout',
	    same(log.hosted, [want]) && label === 'Sign in', `${JSON.stringify(log.hosted)}; then ${label}`);
});

check('no console errors, script errors or requests off the machine', log.errors.length === 0,
    log.errors.join(' | '));
check('screenshots of each view at 1280x900 and 390x844',
    shots.length >= 14 && shots.every((f) => fs.statSync(f).size > 5000), shots.join(' '));

await browser.close();
server.close();
fs.writeFileSync(RESULTS, JSON.stringify(results, null, 1));
