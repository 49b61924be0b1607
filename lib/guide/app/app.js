/*
 * app.js: the signed-in page of uktv-guide(1) (--app), talking to
 * uktv-api(1).  Plain JavaScript, no framework, nothing from another host.
 *
 * Sign-in is Cognito's hosted UI, implicit flow: the ID token comes back in
 * the URL fragment (#id_token=...), is kept in sessionStorage (this tab
 * only), taken out of the address bar, and sent as Authorization to the
 * API.  A token past its exp, or a 401 from the API, stops every further
 * call and offers "Sign in again".
 *
 * Every string from the API reaches the page through textContent or an
 * attribute set from script, never as markup, and no handler is inline: the
 * page's Content-Security-Policy allows only this file as script.
 */
'use strict';

(function () {
	const cfg = JSON.parse(document.getElementById('config').textContent);
	const api = String(cfg.api).replace(/\/+$/, '');
	const issuer = 'https://cognito-idp.' + cfg.region +
	    '.amazonaws.com/' + cfg.userPool;
	const TOKEN_KEY = 'uktv.idToken';
	const TYPES = {
		movie: 'Film', tv_series: 'TV series',
		tv_miniseries: 'TV miniseries', tv_special: 'TV special',
		tv_movie: 'TV film', short_film: 'Short film'
	};
	const OFFERS = {
		sub: 'subscription', free: 'free', purchase: 'buy', buy: 'buy',
		rent: 'rent', tve: 'with a TV package', addon: 'add-on'
	};

	const state = {
		token: null,
		claims: null,
		stopped: false,		/* signed out or expired: no more calls */
		view: 'guide',
		sources: null,		/* Map id -> name */
		genres: null,
		prefs: null,		/* {sources, genres, favourites} */
		lists: {},		/* view -> titles, as the API ordered them */
		known: new Map(),	/* title id -> title, for names */
		favQueue: Promise.resolve(),
		opener: null		/* what had focus before the detail opened */
	};

	const $ = (id) => document.getElementById(id);

	/* An element with text (never markup) and attributes. */
	function el(tag, attrs, text) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (k === 'class')
				e.className = v;
			else
				e.setAttribute(k, v);
		}
		if (text !== undefined && text !== null)
			e.textContent = String(text);
		return e;
	}

	function str(v) {
		return typeof v === 'string' ? v : (typeof v === 'number' &&
		    Number.isFinite(v) ? String(v) : '');
	}

	/* An https URL from the data, or null: posters and links are used
	 * only when they are (the policy's img-src is https:, and a link
	 * that runs script is never made). */
	function httpsUrl(v, allowHttp) {
		if (typeof v !== 'string')
			return null;
		try {
			const u = new URL(v);
			if (u.protocol === 'https:' ||
			    (allowHttp && u.protocol === 'http:'))
				return u.href;
		} catch (e) {
			/* not a URL */
		}
		return null;
	}

	/* ---- the token ---- */

	function claimsOf(token) {
		const parts = String(token).split('.');
		if (parts.length !== 3)
			return null;
		try {
			let s = parts[1].replace(/-/g, '+').replace(/_/g, '/');
			while (s.length % 4)
				s += '=';
			const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
			const c = JSON.parse(new TextDecoder().decode(bytes));
			return c && typeof c === 'object' ? c : null;
		} catch (e) {
			return null;
		}
	}

	/* The page checks only what tells it to ask for a new token; the API
	 * verifies the signature and everything else. */
	function usable(c) {
		return c !== null && typeof c.exp === 'number' &&
		    c.exp * 1000 > Date.now() && c.token_use === 'id' &&
		    c.aud === cfg.clientId && c.iss === issuer;
	}

	function pageUrl() {
		return location.href.split('#')[0].split('?')[0];
	}

	function signInUrl() {
		return 'https://' + cfg.domain + '/login?response_type=token' +
		    '&client_id=' + encodeURIComponent(cfg.clientId) +
		    '&redirect_uri=' + encodeURIComponent(pageUrl()) +
		    '&scope=openid+email+profile';
	}

	function signOutUrl() {
		return 'https://' + cfg.domain + '/logout?client_id=' +
		    encodeURIComponent(cfg.clientId) + '&logout_uri=' +
		    encodeURIComponent(pageUrl());
	}

	/* #id_token=... (or #error=...) from the hosted UI: kept, and taken
	 * out of the address bar and the history. */
	function takeFragment() {
		const frag = location.hash.replace(/^#/, '');
		if (frag === '')
			return null;
		const q = new URLSearchParams(frag);
		if (!q.has('id_token') && !q.has('access_token') && !q.has('error'))
			return null;
		if (q.get('id_token'))
			sessionStorage.setItem(TOKEN_KEY, q.get('id_token'));
		history.replaceState(null, '', location.href.split('#')[0]);
		if (q.has('error'))
			return q.get('error_description') || q.get('error');
		return null;
	}

	/* ---- notices and the header ---- */

	function notice(text, kind, retry) {
		const n = $('notice');
		n.textContent = '';
		n.className = 'notice' + (kind ? ' ' + kind : '');
		if (!text)
			return;
		n.append(el('span', {}, text));
		if (retry) {
			const b = el('button', { type: 'button' }, 'Try again');
			b.addEventListener('click', retry);
			n.append(' ', b);
		}
	}

	function header(mode) {
		const who = $('who');
		const signIn = $('sign-in');
		who.hidden = mode !== 'in';
		$('sign-out').hidden = mode !== 'in';
		signIn.hidden = mode === 'in';
		signIn.textContent = mode === 'expired' ? 'Sign in again' : 'Sign in';
		if (mode === 'in') {
			const c = state.claims;
			const name = str(c.email) || str(c['cognito:username']) ||
			    str(c.name) || 'you';
			who.textContent = '';
			who.append('Signed in as ', el('strong', {}, name));
		}
		$('views').hidden = mode !== 'in';
		$('intro').hidden = mode !== 'out';
		if (mode !== 'in')
			for (const s of document.querySelectorAll('.view'))
				s.hidden = true;
	}

	/* The token is no good any more: nothing else goes to the API. */
	function expire(why) {
		if (state.stopped)
			return;
		state.stopped = true;
		sessionStorage.removeItem(TOKEN_KEY);
		const d = $('detail');
		if (d.open)
			d.close();
		header('expired');
		notice(why + ' Sign in again to carry on.', 'error');
		$('sign-in').focus();
	}

	/* ---- the API ---- */

	class Stopped extends Error {}

	async function call(method, path, body) {
		if (state.stopped)
			throw new Stopped();
		if (!usable(state.claims)) {
			expire('Your sign-in has expired.');
			throw new Stopped();
		}
		const init = {
			method: method,
			headers: { Authorization: state.token },
			cache: 'no-store',
			credentials: 'omit',
			referrerPolicy: 'no-referrer'
		};
		if (body !== undefined) {
			init.headers['Content-Type'] = 'application/json';
			init.body = JSON.stringify(body);
		}
		let res;
		try {
			res = await fetch(api + path, init);
		} catch (e) {
			throw new Error('The guide service at ' + api +
			    ' cannot be reached.');
		}
		if (state.stopped)
			throw new Stopped();
		if (res.status === 401) {
			expire('The guide service did not accept your sign-in.');
			throw new Stopped();
		}
		let data = null;
		try {
			data = await res.json();
		} catch (e) {
			/* not JSON: said below when it matters */
		}
		if (!res.ok)
			throw new Error(data && typeof data.error === 'string' ?
			    data.error : 'The guide service answered ' +
			    res.status + '.');
		if (data === null)
			throw new Error('The guide service sent no JSON.');
		return data;
	}

	function ids(list) {
		return Array.isArray(list) ? list.map(str).filter((s) => s) : [];
	}

	async function loadNames() {
		if (state.sources && state.genres)
			return;
		const [s, g] = await Promise.all([call('GET', '/sources'),
		    call('GET', '/genres')]);
		const map = (list) => new Map((Array.isArray(list) ? list : [])
		    .filter((x) => x && str(x.id))
		    .map((x) => [str(x.id), str(x.name) || str(x.id)]));
		state.sources = map(s);
		state.genres = map(g);
	}

	async function loadPrefs() {
		if (state.prefs)
			return;
		const p = await call('GET', '/preferences');
		state.prefs = {
			sources: ids(p.sources), genres: ids(p.genres),
			favourites: ids(p.favourites)
		};
	}

	async function loadList(view) {
		if (state.lists[view])
			return state.lists[view];
		const list = await call('GET', view === 'recs' ?
		    '/recommendations' : '/titles');
		const titles = (Array.isArray(list) ? list : [])
		    .filter((t) => t && /^[0-9]+$/.test(str(t.id)));
		for (const t of titles)
			state.known.set(str(t.id), t);
		state.lists[view] = titles;
		return titles;
	}

	/* ---- title cards and the detail panel ---- */

	/* "2022 · TV series" and "rated 7.4", as the public pages say it. */
	function yearType(t) {
		return [str(t.year), TYPES[t.type] || str(t.type)]
		    .filter((s) => s).join(' \u00b7 ');
	}

	function rating(t) {
		return typeof t.user_rating === 'number' && t.user_rating > 0 ?
		    'rated ' + t.user_rating : '';
	}

	function metaText(t) {
		return [yearType(t), rating(t)].filter((s) => s).join(' \u00b7 ');
	}

	function posterBox(t, cls) {
		const box = el('div', { class: cls });
		const url = httpsUrl(t.poster, false);
		const initial = () => {
			box.textContent = '';
			box.classList.add('none');
			box.append(el('span', { 'aria-hidden': 'true' },
			    (str(t.title).trim()[0] || '?').toUpperCase()));
		};
		if (url === null) {
			initial();
			return box;
		}
		const img = el('img', { alt: '', loading: 'lazy', width: '120',
		    height: '180', referrerpolicy: 'no-referrer' });
		img.addEventListener('error', initial);
		img.src = url;
		box.append(img);
		return box;
	}

	function isFavourite(id) {
		return state.prefs !== null && state.prefs.favourites.includes(id);
	}

	/* A star button; in the detail panel (words) it says what it does. */
	function drawStar(b, id, name) {
		const on = isFavourite(id);
		b.textContent = (on ? '\u2605' : '\u2606') + (b.dataset.words ?
		    (on ? ' In favourites' : ' Add to favourites') : '');
		b.setAttribute('aria-pressed', on ? 'true' : 'false');
		b.setAttribute('aria-label', (on ? 'Remove ' : 'Add ') + name +
		    (on ? ' from favourites' : ' to favourites'));
		b.title = on ? 'In your favourites' : 'Add to favourites';
	}

	function star(t) {
		const id = str(t.id);
		const b = el('button', { type: 'button', class: 'fav',
		    'data-id': id });
		drawStar(b, id, str(t.title) || 'this title');
		b.addEventListener('click', () => toggleFavourite(id));
		return b;
	}

	function redrawStars(id) {
		const t = state.known.get(id);
		const name = t ? str(t.title) : 'title ' + id;
		for (const b of document.querySelectorAll('button.fav'))
			if (b.dataset.id === id)
				drawStar(b, id, name);
	}

	function card(t) {
		const li = el('li', { class: 'card' });
		const open = el('button', { type: 'button', class: 'open',
		    'aria-haspopup': 'dialog' });
		open.append(posterBox(t, 'poster'),
		    el('span', { class: 'name' }, str(t.title) || '(untitled)'));
		open.addEventListener('click', () => showDetail(t, open));
		const foot = el('div', { class: 'card-foot' });
		const meta = el('p', { class: 'meta' });
		meta.append(el('span', { class: 'yt' }, yearType(t)),
		    el('span', { class: 'rate' }, rating(t)));
		foot.append(meta, star(t));
		li.append(open, foot);
		return li;
	}

	function names(list, map, what) {
		return ids(list).map((id) => (map && map.get(id)) ||
		    what + ' ' + id).join(', ');
	}

	function offerLine(o) {
		const li = el('li');
		const url = httpsUrl(o.web_url, true);
		const name = str(o.name) || 'source ' + str(o.source_id);
		if (url !== null)
			li.append(el('a', { href: url, rel: 'noopener noreferrer',
			    target: '_blank' }, name));
		else
			li.append(name);
		const kind = [OFFERS[o.type] || str(o.type), str(o.format)]
		    .filter((s) => s).join(', ');
		if (kind)
			li.append(' ', el('span', { class: 'kind' }, kind));
		return li;
	}

	function showDetail(t, opener) {
		const d = $('detail');
		const id = str(t.id);
		const name = str(t.title) || '(untitled)';
		state.opener = opener;
		d.querySelector('.detail-poster').replaceChildren(
		    posterBox(t, 'poster big'));
		$('detail-title').textContent = name;
		d.querySelector('.meta').textContent = metaText(t);
		d.querySelector('.plot').textContent = str(t.plot_overview);
		const facts = d.querySelector('.facts');
		facts.replaceChildren(
		    el('dt', {}, 'Services'), el('dd', {}, names(t.source_ids,
		    state.sources, 'source') || '\u2014'),
		    el('dt', {}, 'Genres'), el('dd', {}, names(t.genre_ids,
		    state.genres, 'genre') || '\u2014'));
		const offers = (Array.isArray(t.sources) ? t.sources : [])
		    .filter((o) => o && typeof o === 'object');
		d.querySelector('.watch').replaceChildren(...offers.map(offerLine));
		d.querySelector('.watch-h').hidden = offers.length === 0;
		d.querySelector('.public a').href = '../titles/' + id + '.html';
		const fav = d.querySelector('.detail-actions .fav');
		fav.dataset.id = id;
		drawStar(fav, id, name);
		d.showModal();
		$('detail-close').focus();
	}

	/* ---- views ---- */

	function section(view) {
		return $('view-' + view);
	}

	function viewState(view, text, kind) {
		const p = section(view).querySelector('.state');
		p.textContent = text || '';
		p.className = 'state' + (kind ? ' ' + kind : '');
		section(view).setAttribute('aria-busy', kind === 'loading' ?
		    'true' : 'false');
	}

	async function showList(view) {
		const ul = section(view).querySelector('.cards');
		const empty = view === 'recs' ?
		    'No recommendations yet: titles rated above 7 in your ' +
		    'services and genres will show here.' :
		    'Nothing in your guide yet: choose your services and ' +
		    'genres under My choices.';
		if (!state.lists[view]) {
			ul.replaceChildren();
			viewState(view, view === 'recs' ?
			    'Loading your recommendations\u2026' :
			    'Loading your guide\u2026', 'loading');
		}
		const [titles] = await Promise.all([loadList(view), loadNames(),
		    loadPrefs()]);
		if (state.view !== view)
			return;
		ul.replaceChildren(...titles.map(card));
		viewState(view, titles.length === 0 ? empty : titles.length +
		    (titles.length === 1 ? ' title' : ' titles'));
	}

	function pick(kind, map, chosen) {
		const list = [...map].sort((a, b) => a[1].localeCompare(b[1]));
		return list.map(([id, name]) => {
			const li = el('li');
			const label = el('label');
			const box = el('input', { type: 'checkbox', name: kind,
			    value: id });
			box.checked = chosen.includes(id);
			label.append(box, ' ', el('span', {}, name));
			li.append(label);
			return li;
		});
	}

	function drawFavourites() {
		const ul = $('favourites');
		const favs = state.prefs ? state.prefs.favourites : [];
		if (favs.length === 0) {
			ul.replaceChildren(el('li', { class: 'none' },
			    'No favourites yet.'));
			return;
		}
		ul.replaceChildren(...favs.map((id) => {
			const t = state.known.get(id);
			const name = t ? str(t.title) || '(untitled)' : 'Title ' + id;
			const li = el('li');
			const b = el('button', { type: 'button', class: 'remove',
			    'aria-label': 'Remove ' + name + ' from favourites' },
			    'Remove');
			b.addEventListener('click', () => toggleFavourite(id));
			li.append(el('span', { class: 'name' }, name), ' ', b);
			return li;
		}));
	}

	/* What is stored now, in words, above the boxes. */
	function summary() {
		const p = state.prefs;
		const list = (chosen, map) => chosen.map((id) => map.get(id) ||
		    id).sort((a, b) => a.localeCompare(b)).join(', ') || 'none';
		return 'You follow ' + p.sources.length + ' service' +
		    (p.sources.length === 1 ? '' : 's') + ' (' +
		    list(p.sources, state.sources) + ') and ' + p.genres.length +
		    ' genre' + (p.genres.length === 1 ? '' : 's') + ' (' +
		    list(p.genres, state.genres) + ').';
	}

	async function showChoices() {
		const form = $('choices');
		if (!state.sources || !state.prefs) {
			form.hidden = true;
			viewState('choices', 'Loading your choices\u2026', 'loading');
		}
		/* Titles only for the names of favourites. */
		await Promise.all([loadNames(), loadPrefs(),
		    loadList('guide').catch((e) => {
			    if (e instanceof Stopped)
				    throw e;
		    })]);
		if (state.view !== 'choices')
			return;
		$('pick-sources').replaceChildren(...pick('source', state.sources,
		    state.prefs.sources));
		$('pick-genres').replaceChildren(...pick('genre', state.genres,
		    state.prefs.genres));
		drawFavourites();
		viewState('choices', summary());
		form.hidden = false;
	}

	function failed(view, e) {
		if (e instanceof Stopped)
			return;
		viewState(view, '', 'error');
		notice('Could not load this view: ' + e.message, 'error',
		    () => show(view));
	}

	function show(view) {
		if (state.stopped)
			return;
		state.view = view;
		notice('');
		for (const b of document.querySelectorAll('#views button')) {
			if (b.dataset.view === view)
				b.setAttribute('aria-current', 'page');
			else
				b.removeAttribute('aria-current');
		}
		for (const s of document.querySelectorAll('.view'))
			s.hidden = s.id !== 'view-' + view;
		const run = view === 'choices' ? showChoices() : showList(view);
		run.catch((e) => failed(view, e));
	}

	/* ---- saving ---- */

	async function save(ev) {
		ev.preventDefault();
		const out = $('saved');
		const chosen = (name) => [...$('choices').querySelectorAll(
		    'input[name="' + name + '"]:checked')].map((b) => b.value);
		const body = { sources: chosen('source'), genres: chosen('genre') };
		const button = $('save');
		button.disabled = true;
		out.className = 'saved';
		out.textContent = 'Saving\u2026';
		try {
			await call('PUT', '/preferences', body);
			state.prefs.sources = body.sources;
			state.prefs.genres = body.genres;
			viewState('choices', summary());
			/* The titles follow the choices: read them again. */
			state.lists = {};
			out.textContent = 'Saved. Your guide now follows these choices.';
		} catch (e) {
			if (e instanceof Stopped) {
				out.textContent = '';
			} else {
				out.className = 'saved error';
				out.textContent = 'Not saved: ' + e.message;
			}
		} finally {
			button.disabled = false;
		}
	}

	/* One favourite on or off, written at once.  Writes go one at a time,
	 * each with the list as it is then, so quick clicks cannot undo one
	 * another. */
	function toggleFavourite(id) {
		state.favQueue = state.favQueue.then(async () => {
			if (state.stopped || !state.prefs)
				return;
			const had = state.prefs.favourites.includes(id);
			const next = had ? state.prefs.favourites.filter((f) => f !== id) :
			    state.prefs.favourites.concat([id]);
			const t = state.known.get(id);
			const name = t ? str(t.title) || '(untitled)' : 'title ' + id;
			try {
				await call('PUT', '/preferences', { favourites: next });
				state.prefs.favourites = next;
				redrawStars(id);
				if (state.view === 'choices')
					drawFavourites();
				notice(had ? 'Removed \u201c' + name +
				    '\u201d from your favourites.' : 'Added \u201c' +
				    name + '\u201d to your favourites.', 'ok');
			} catch (e) {
				if (!(e instanceof Stopped))
					notice('Favourites not changed: ' + e.message,
					    'error');
			}
		});
	}

	/* ---- start ---- */

	function start() {
		const fragError = takeFragment();
		$('sign-in').addEventListener('click', () => {
			location.assign(signInUrl());
		});
		$('sign-out').addEventListener('click', () => {
			state.stopped = true;
			sessionStorage.removeItem(TOKEN_KEY);
			location.assign(signOutUrl());
		});
		for (const b of document.querySelectorAll('#views button'))
			b.addEventListener('click', () => show(b.dataset.view));
		$('choices').addEventListener('submit', save);
		$('detail-close').addEventListener('click', () => $('detail').close());
		$('detail').addEventListener('close', () => {
			if (state.opener && state.opener.isConnected)
				state.opener.focus();
		});
		$('detail').querySelector('.detail-actions .fav')
		    .addEventListener('click', (ev) =>
		    toggleFavourite(ev.currentTarget.dataset.id));

		state.token = sessionStorage.getItem(TOKEN_KEY);
		state.claims = state.token ? claimsOf(state.token) : null;
		if (fragError !== null) {
			header('out');
			notice('Sign-in did not work: ' + fragError, 'error');
			return;
		}
		if (state.token === null) {
			header('out');
			return;
		}
		if (!usable(state.claims)) {
			state.stopped = true;
			sessionStorage.removeItem(TOKEN_KEY);
			header('expired');
			notice('Your sign-in has expired. Sign in again to carry on.',
			    'error');
			return;
		}
		header('in');
		show('guide');
	}

	start();
}());
