/*
 * Copyright 2026 The seckill authors. Licensed under the Apache License, Version 2.0.
 *
 * seckill-v3.js: the product page's flash-sale client. Versioned file name: ship a change as
 * seckill-v4.js (the HTML names it), since CDNs and browsers keep this one for a year.
 * (v2: "Already bought" on load; "Opens at" is the sale's start, not shifted by the clock offset.
 *  v3: reservations: "pay within mm:ss", Pay and Cancel; "All reserved" while units are held.)
 *
 * 1. Syncs with the server's clock: a few GETs of the sale, each giving serverTimeMillis; the
 *    offset is taken from the round trip with the smallest delay (NTP-style midpoint).
 * 2. Counts down to startsAt by that clock and turns the button on at the start.
 * 3. On click, and only then, fetches a purchase token (POST .../token; refused before the start),
 *    then posts the order once: the button is disabled before the first request leaves, so a
 *    double click sends one order.
 * 4. Shows the result or the refusal reason, and "Sold out" once the stock is gone.
 * 5. On load (and when the user changes) asks what this user already bought
 *    (GET .../me): a returning buyer sees "Already bought", not a button that would only
 *    answer LIMIT_REACHED, and her unpaid reservation if she has one.
 * 6. A purchase in a sale with a pay-by deadline is a reservation: the page counts down to the
 *    pay-by instant (by the server's clock) and offers Pay (POST /api/orders/{id}/pay, a fake
 *    payment) and Cancel. The server decides: a payment that arrives too late is refunded, and
 *    an unpaid unit goes back on sale, which other buyers' pages pick up on their next poll.
 *
 * Identity: the X-User header, from ?user=, the "Signed in as" box or a random guest id kept in
 * localStorage. The example has no login.
 */
(function () {
  'use strict';

  var SYNC_SAMPLES = 5;
  var TICK_MS = 100;

  var el = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(window.location.search);

  var state = {
    saleId: params.get('sale'),
    sale: null,          // last SaleJson from the server
    offset: 0,           // server clock minus local clock, ms
    bestRtt: Infinity,   // round trip of the sample the offset came from
    busy: false,         // an order (or its token) is in flight: clicks are ignored
    done: false,         // bought, or nothing more to do (limit reached, sold out, ended)
    bought: false,
    alreadyBought: false, // bought before this page was loaded (GET .../me)
    soldOut: false,
    token: null,
    tokenExpiresAt: 0,
    retryAt: 0,          // server time before which the button stays off (Retry-After)
    refreshing: false,
    nextRefreshAt: 0,
    startRefreshDone: false,
    reservation: null,   // {orderId, quantity, payByMillis, state} of this user's reservation
    paying: false        // a pay or cancel is in flight
  };

  var REASONS = {
    SOLD_OUT: ['Sold out. Every unit has been sold.', 'no', true],
    ALL_HELD: ['Every unit left is reserved by buyers who have not paid yet. Some may come back: try again shortly.', 'wait', false],
    INSUFFICIENT_STOCK: ['Not enough units left for that quantity.', 'no', false],
    LIMIT_REACHED: ['You have already bought your limit for this sale.', 'no', true],
    NOT_STARTED: ['The sale has not started yet (by the server\'s clock).', 'wait', false],
    ENDED: ['The sale has ended.', 'no', true],
    UNKNOWN_SALE: ['This sale does not exist.', 'no', true],
    OVERLOADED: ['The shop is very busy. Try again in a moment.', 'wait', false],
    OVERSUBSCRIBED: ['Enough buyers are ahead of you for the units left. Try again in a moment.', 'wait', false],
    THROTTLED: ['Too many attempts. Slow down and try again in a moment.', 'wait', false],
    BLOCKED: ['Your account or network is blocked for a while.', 'no', false],
    BAD_TOKEN: ['Your purchase token expired. Click again.', 'wait', false],
    CHALLENGE_REQUIRED: ['A challenge is required before buying.', 'no', false],
    DENIED: ['The shop refused this purchase.', 'no', true],
    POLICY_FAILED: ['The shop could not check this purchase. Try again in a moment.', 'wait', false],
    INVALID_REQUEST: ['The request was not valid.', 'no', false],
    MISSING_USER: ['Enter a name in "Signed in as" first.', 'no', false],
    PAUSED: ['The sale is paused for a moment. Try again shortly.', 'wait', false],
    UNAVAILABLE: ['The shop is restarting. Try again in a moment.', 'wait', false]
  };

  function serverNow() {
    return Date.now() + state.offset;
  }

  function user() {
    return el('user').value.trim();
  }

  function initUser() {
    var u = params.get('user');
    if (!u) {
      try { u = window.localStorage.getItem('seckill-user'); } catch (e) { u = null; }
    }
    if (!u) {
      u = 'guest-' + Math.random().toString(36).slice(2, 8);
    }
    el('user').value = u;
    remember(u);
    el('user').addEventListener('change', function () {
      remember(user());
      state.token = null;     // a token is bound to the user it was issued for
      state.done = false;
      state.bought = false;
      state.alreadyBought = false;
      state.reservation = null;
      setResult('', '');
      render();
      if (state.sale) {
        checkBuyer();
      }
    });
  }

  function remember(u) {
    try { window.localStorage.setItem('seckill-user', u); } catch (e) { /* private mode */ }
  }

  function api(method, path, body) {
    var headers = { 'Accept': 'application/json', 'X-User': user() };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    return fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin'
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        return { status: res.status, data: data, retryAfter: Number(res.headers.get('Retry-After') || 0) };
      });
    });
  }

  function salePath() {
    return '/api/sales/' + encodeURIComponent(state.saleId);
  }

  /** One clock sample: keeps the offset of the quickest round trip seen so far. */
  function sample() {
    var t0 = Date.now();
    return api('GET', salePath()).then(function (r) {
      var t1 = Date.now();
      if (r.status !== 200) {
        throw new Error('sale lookup answered ' + r.status);
      }
      var rtt = t1 - t0;
      // Later samples may replace the offset if their round trip was nearly as quick: clocks drift.
      if (rtt <= state.bestRtt + 20) {
        state.offset = r.data.serverTimeMillis - (t0 + t1) / 2;
        state.bestRtt = Math.min(rtt, state.bestRtt);
      }
      state.sale = r.data;
      return r.data;
    });
  }

  function syncClock() {
    var chain = Promise.resolve();
    for (var i = 0; i < SYNC_SAMPLES; i++) {
      chain = chain.then(sample);
    }
    return chain;
  }

  /** What this user already bought in the sale: "Already bought" on load for a returning buyer. */
  function checkBuyer() {
    var asked = user();
    if (!asked) {
      return Promise.resolve();
    }
    return api('GET', salePath() + '/me').then(function (r) {
      if (r.status !== 200 || !r.data || asked !== user() || state.bought || state.busy) {
        return;         // another user by now, or a purchase on this page says more
      }
      var title = state.sale ? state.sale.title : r.data.saleId;
      if (r.data.reservation) {
        state.reservation = r.data.reservation;
      }
      if (r.data.limitReached) {
        state.done = true;
        state.alreadyBought = true;
        document.body.setAttribute('data-reason', 'ALREADY_BOUGHT');
        setResult('You already bought ' + r.data.unitsBought + ' x ' + title +
            ' in this sale, the limit per customer.', 'ok');
      } else if (r.data.unitsBought > 0) {
        setResult('You have bought ' + r.data.unitsBought + ' of ' + r.data.limitPerUser +
            ' allowed.', '');
      }
      render();
    }).catch(function () { /* the button still works; the server has the last word */ });
  }

  function refresh() {
    if (state.refreshing) {
      return;
    }
    state.refreshing = true;
    sample().catch(function () { /* keep the last view */ }).then(function () {
      state.refreshing = false;
      scheduleRefresh();
      render();
    });
  }

  function scheduleRefresh() {
    // Before the start: a light poll (stock and clock drift). During the sale: every 2 s, with
    // jitter, so a crowd of pages does not poll in step.
    var phase = localPhase();
    var every = phase === 'UPCOMING' ? 10000 : 2000;
    state.nextRefreshAt = Date.now() + every * (0.75 + Math.random() * 0.5);
  }

  /** The phase by the synced clock, so the button turns on at the start without a round trip. */
  function localPhase() {
    var s = state.sale;
    if (!s) {
      return 'LOADING';
    }
    var now = serverNow();
    if (!state.soldOut && s.remaining === 0 && s.held > 0 && now >= s.startsAtMillis &&
        now < s.endsAtMillis && s.phase !== 'ENDED') {
      return 'ALL_HELD';   // nothing free now, but unpaid reservations may give units back
    }
    if (state.soldOut || s.phase === 'SOLD_OUT') {
      return 'SOLD_OUT';
    }
    if (now < s.startsAtMillis) {
      return 'UPCOMING';
    }
    if (now >= s.endsAtMillis || s.phase === 'ENDED') {
      return 'ENDED';
    }
    return 'ON_SALE';
  }

  function hms(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var sec = total % 60;
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    return two(h) + ':' + two(m) + ':' + two(sec);
  }

  function setResult(text, kind) {
    var r = el('result');
    r.textContent = text;
    r.className = 'result' + (kind ? ' ' + kind : '');
  }

  function render() {
    var s = state.sale;
    var phase = localPhase();
    document.body.setAttribute('data-phase', phase);
    if (!s) {
      return;
    }
    var now = serverNow();
    var buy = el('buy');
    var phaseText = {
      UPCOMING: 'Starts in',
      ON_SALE: 'On sale now - ends in',
      SOLD_OUT: 'No units left',
      ALL_HELD: 'Every unit is reserved - unpaid ones come back on sale',
      ENDED: 'The sale has ended'
    }[phase];
    el('phase').textContent = phaseText;
    if (phase === 'UPCOMING') {
      el('countdown').textContent = hms(s.startsAtMillis - now);
    } else if (phase === 'ON_SALE') {
      el('countdown').textContent = hms(s.endsAtMillis - now);
    } else {
      el('countdown').textContent = phase === 'SOLD_OUT' ? 'Sold out'
          : phase === 'ALL_HELD' ? 'All reserved' : '00:00:00';
    }
    var remaining = phase === 'SOLD_OUT' ? 0 : s.remaining;
    el('stock').textContent = remaining + ' of ' + s.stock + ' left' +
        (s.held > 0 ? ' (' + s.held + ' reserved, not paid yet)' : '') +
        (s.limitPerUser ? ' - limit ' + s.limitPerUser + ' per customer' : '');
    el('stockfill').style.width = (s.stock > 0 ? (100 * remaining / s.stock) : 0) + '%';

    var canBuy = phase === 'ON_SALE' && !state.busy && !state.done && now >= state.retryAt;
    buy.disabled = !canBuy;
    if (state.busy) {
      buy.textContent = 'Buying...';
    } else if (state.alreadyBought) {
      buy.textContent = 'Already bought';
    } else if (state.bought) {
      buy.textContent = state.reservation && state.reservation.state === 'RESERVED' ? 'Reserved'
          : 'Bought';
    } else if (phase === 'SOLD_OUT') {
      buy.textContent = 'Sold out';
    } else if (phase === 'ALL_HELD') {
      buy.textContent = 'All reserved';
    } else if (state.done && phase === 'ON_SALE') {
      buy.textContent = 'Done';
    } else if (phase === 'UPCOMING') {
      // The sale's start as a wall-clock time: startsAtMillis is an instant, the same for every
      // clock. (The offset only says when this device's clock reaches it, for the countdown.)
      buy.textContent = 'Opens at ' + new Date(s.startsAtMillis).toLocaleTimeString();
    } else if (phase === 'ENDED') {
      buy.textContent = 'Ended';
    } else if (now < state.retryAt) {
      buy.textContent = 'Try again in ' + Math.ceil((state.retryAt - now) / 1000) + ' s';
    } else {
      buy.textContent = 'Buy now';
    }
    renderReservation(now);
    el('fineprint').textContent = 'Synced to the server clock: offset ' +
        (Math.abs(state.offset) < 10000 ? Math.round(state.offset) + ' ms'
          : (state.offset / 1000).toFixed(1) + ' s') +
        ', best round trip ' + (isFinite(state.bestRtt) ? state.bestRtt : '?') + ' ms.';
  }

  /** The reservation panel: "pay within mm:ss", Pay and Cancel, or how the reservation ended. */
  function renderReservation(now) {
    var box = el('reservation');
    var res = state.reservation;
    if (!res) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    var st = res.state;
    if (st === 'RESERVED' && now >= res.payByMillis) {
      st = 'EXPIRED';     // by the server's clock; the engine expires it on its own
    }
    box.setAttribute('data-state', st);
    var left = res.payByMillis - now;
    el('payby').textContent = st === 'RESERVED' ? 'Pay within ' + hms(left).slice(3) :
        { PAID: 'Paid - order #' + res.orderId + ' is yours.',
          CANCELLED: 'Cancelled - the unit went back on sale.',
          EXPIRED: 'Reservation expired - the unit went back on sale.' }[st] || st;
    el('pay').hidden = st !== 'RESERVED';
    el('cancel').hidden = st !== 'RESERVED';
    el('pay').disabled = state.paying;
    el('cancel').disabled = state.paying;
  }

  /** Pays (or cancels) the reservation; the server's answer is the truth, shown as it comes. */
  function settle(action) {
    var res = state.reservation;
    if (!res || state.paying) {
      return;
    }
    state.paying = true;
    render();
    api('POST', '/api/orders/' + res.orderId + '/' + action).then(function (r) {
      if (r.data && r.data.state) {
        res.state = r.data.state;
      }
      if (r.status === 200) {
        setResult(action === 'pay' ? 'Payment received. Order #' + res.orderId + ' is yours.'
            : 'Reservation cancelled. The unit is back on sale.', 'ok');
      } else {
        setResult(r.data && r.data.message ? 'Not ' + (action === 'pay' ? 'paid' : 'cancelled') +
            ': ' + r.data.message + '.' : 'Refused (HTTP ' + r.status + ').', 'no');
      }
      document.body.setAttribute('data-reason', r.data && r.data.outcome ? r.data.outcome : 'HTTP_' + r.status);
    }).catch(function () {
      setResult('Network error: check your order before paying again.', 'wait');
    }).then(function () {
      state.paying = false;
      refresh();
      render();
    });
  }

  function tick() {
    var phase = localPhase();
    if (phase === 'ON_SALE' && !state.startRefreshDone) {
      // The countdown reached zero: ask the server once for the real phase and stock.
      state.startRefreshDone = true;
      refresh();
    } else if (Date.now() >= state.nextRefreshAt && phase !== 'LOADING') {
      refresh();
    }
    render();
  }

  function refuse(r) {
    var reason = r.data && r.data.reason ? r.data.reason : 'HTTP_' + r.status;
    var known = REASONS[reason];
    var text = known ? known[0] : (r.data && r.data.message ? r.data.message : 'Refused (' + reason + ').');
    setResult(text, known ? known[1] : 'no');
    document.body.setAttribute('data-reason', reason);
    if (known && known[2]) {
      state.done = true;
    }
    if (reason === 'SOLD_OUT') {
      state.soldOut = true;
    }
    if (reason === 'BAD_TOKEN') {
      state.token = null;
    }
    if (reason === 'NOT_STARTED') {
      state.bestRtt = Infinity;   // our clock estimate was early: resync
      syncClock().catch(function () {}).then(render);
    }
    // NOT_STARTED's Retry-After is the time to the start: the countdown already waits for it,
    // and rounded up to a second it would hold the button past the start.
    if (r.retryAfter > 0 && reason !== 'NOT_STARTED') {
      state.retryAt = serverNow() + r.retryAfter * 1000;
    }
  }

  function ensureToken() {
    if (state.token && state.tokenExpiresAt - serverNow() > 5000) {
      return Promise.resolve(null);
    }
    return api('POST', salePath() + '/token').then(function (r) {
      if (r.status !== 200) {
        return r;     // a refusal: shown by the caller
      }
      state.token = r.data.token;
      state.tokenExpiresAt = Date.parse(r.data.expiresAt);
      return null;
    });
  }

  function buy() {
    if (state.busy || state.done || localPhase() !== 'ON_SALE') {
      return;           // a second click while the first is in flight sends nothing
    }
    state.busy = true;
    render();           // disables the button before any request leaves
    setResult('Placing your order...', 'wait');
    ensureToken().then(function (refused) {
      if (refused) {
        return refused;
      }
      return api('POST', salePath() + '/orders', { token: state.token, quantity: 1 });
    }).then(function (r) {
      if (r.status === 201) {
        state.done = true;
        state.bought = true;
        document.body.setAttribute('data-reason', 'CONFIRMED');
        var what = r.data.quantity + ' x ' + (state.sale ? state.sale.title : r.data.saleId);
        if (r.data.state === 'RESERVED') {
          state.reservation = { orderId: r.data.orderId, quantity: r.data.quantity,
            payByMillis: r.data.payByMillis, state: 'RESERVED' };
          setResult('Order #' + r.data.orderId + ' reserved: ' + what +
              '. Pay before the time runs out, or the unit goes back on sale.', 'ok');
        } else {
          setResult('Order #' + r.data.orderId + ' confirmed: ' + what + '. Thank you!', 'ok');
        }
      } else {
        refuse(r);
      }
    }).catch(function () {
      setResult('Network error: your order may or may not have gone through. Check before retrying.', 'wait');
    }).then(function () {
      state.busy = false;
      refresh();
      render();
    });
  }

  function start() {
    initUser();
    el('buy').addEventListener('click', buy);
    el('pay').addEventListener('click', function () { settle('pay'); });
    el('cancel').addEventListener('click', function (e) { e.preventDefault(); settle('cancel'); });
    var pick = state.saleId
        ? Promise.resolve(state.saleId)
        : api('GET', '/api/sales').then(function (r) {
          if (r.status !== 200 || !r.data || r.data.length === 0) {
            throw new Error('no sale');
          }
          return r.data[0].saleId;
        });
    pick.then(function (id) {
      state.saleId = id;
      return syncClock();
    }).then(function () {
      var s = state.sale;
      document.title = s.title + ' - flash sale';
      el('title').textContent = s.title;
      el('price').textContent = s.price || '';
      scheduleRefresh();
      render();
      window.setInterval(tick, TICK_MS);
      return checkBuyer();
    }).catch(function (e) {
      el('title').textContent = 'No sale right now';
      el('phase').textContent = String(e && e.message ? e.message : e);
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
