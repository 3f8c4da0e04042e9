// Silkroute operators' dashboard: plain script, no build step. Reads billing's admin analytics API
// (same origin, admin token as Bearer) and the router's public /v1/providers/health (another origin;
// the router answers it with Access-Control-Allow-Origin). Redraws every REFRESH_MS.
(function () {
  'use strict';

  var REFRESH_MS = 5000;
  var TOKEN_KEY = 'silkroute.adminToken';   // sessionStorage: gone when the tab closes
  var ROUTER_KEY = 'silkroute.routerUrl';   // localStorage: not a secret
  var COLORS = ['#2f6fde', '#e8833a', '#1f9d55', '#d64545', '#8e5bd6', '#17a2b8', '#c7a43a', '#e05ca6',
    '#5f6b7a', '#7cb342', '#a1887f', '#26a69a'];
  var state = { window: '1d', metric: 'tokens', timer: null };

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  // Exact: micro-USD are integers, so split them instead of dividing into a float.
  function usd(micros) {
    var sign = micros < 0 ? '-' : '';
    var m = Math.abs(micros);
    return sign + '$' + Math.floor(m / 1e6).toLocaleString('en-US') + '.' + String(m % 1e6).padStart(6, '0');
  }

  // Axis labels: as many decimals as the scale needs (demo spend is fractions of a cent).
  function axisUsd(micros, max) {
    var decimals = max < 10000 ? 6 : max < 1000000 ? 4 : 2;
    return '$' + (micros / 1e6).toFixed(decimals);
  }

  function count(n) { return Number(n).toLocaleString('en-US'); }
  function ms(v) { return v < 0 ? '—' : v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v + ' ms'; }
  function pct(share) { return (Number(share) * 100).toFixed(1) + '%'; }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  function routerUrl() { return (localStorage.getItem(ROUTER_KEY) || 'http://127.0.0.1:8080').replace(/\/+$/, ''); }

  function admin(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + token() }, cache: 'no-store' }).then(function (r) {
      if (r.status === 401) { throw new AuthError(); }
      if (!r.ok) { return r.text().then(function (t) { throw new Error(path + ': HTTP ' + r.status + ' ' + t); }); }
      return r.json();
    });
  }

  function AuthError() { this.message = 'the admin token was refused'; }

  // ---- spend per customer -------------------------------------------------------------------------

  // Read every refresh: the name, and the ledger's own all-time spend and balance to show beside it.
  function account(id) {
    return admin('/admin/customers/' + encodeURIComponent(id));
  }

  function loadSpend() {
    return admin('/admin/analytics/timeseries?by=customer&metric=spend&days=30').then(function (series) {
      var lines = series.series.filter(function (l) { return l.key; }).slice(0, COLORS.length);
      return Promise.all(lines.map(function (l) { return account(l.key); })).then(function (accounts) {
        drawSpendChart(series, lines, accounts);
        drawSpendTable(lines, accounts);
      });
    });
  }

  function drawSpendChart(series, lines, accounts) {
    var box = $('spend-chart');
    box.innerHTML = '';
    if (!lines.length) { box.appendChild(el('p', { class: 'empty', text: 'No spend in the last 30 days yet.' })); return; }
    var days = lines[0].points.map(function (p) { return p.date; });
    var totals = days.map(function (_, i) {
      return lines.reduce(function (sum, l) { return sum + l.points[i].value; }, 0);
    });
    var max = Math.max.apply(null, totals.concat([1]));
    var W = 900, H = 220, left = 70, bottom = 22, top = 8;
    var bw = (W - left) / days.length;
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('preserveAspectRatio', 'none');
    function add(tag, attrs, text) {
      var n = document.createElementNS(ns, tag);
      Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
      if (text !== undefined) { n.textContent = text; }
      svg.appendChild(n);
      return n;
    }
    for (var g = 0; g <= 4; g++) {
      var y = top + (H - top - bottom) * (1 - g / 4);
      add('line', { x1: left, x2: W, y1: y, y2: y, class: 'axis' });
      add('text', { x: left - 6, y: y + 3, 'text-anchor': 'end' }, axisUsd(Math.round(max * g / 4), max));
    }
    days.forEach(function (day, i) {
      var y0 = H - bottom;
      lines.forEach(function (l, k) {
        var v = l.points[i].value;
        if (v <= 0) { return; }
        var h = (H - top - bottom) * v / max;
        var rect = add('rect', { x: left + i * bw + 2, y: y0 - h, width: Math.max(1, bw - 4), height: h, fill: COLORS[k] });
        var t = document.createElementNS(ns, 'title');
        t.textContent = day + ' ' + (accounts[k].name || l.key) + ': ' + usd(v);
        rect.appendChild(t);
        y0 -= h;
      });
      if (i % 5 === 0 || i === days.length - 1) {
        add('text', { x: left + i * bw + bw / 2, y: H - 6, 'text-anchor': 'middle' }, day.slice(5));
      }
    });
    box.appendChild(svg);
    box.appendChild(el('div', { class: 'legend' }, lines.map(function (l, k) {
      return el('span', {}, [el('i', { style: 'background:' + COLORS[k] }), document.createTextNode(accounts[k].name || l.key)]);
    })));
  }

  function drawSpendTable(lines, accounts) {
    var body = $('spend-table').tBodies[0];
    body.innerHTML = '';
    lines.forEach(function (l, k) {
      var a = accounts[k];
      body.appendChild(el('tr', { 'data-customer': l.key }, [
        el('td', {}, [el('i', { class: 'swatch', style: 'display:inline-block;width:10px;height:10px;margin-right:6px;background:' + COLORS[k] }),
          document.createTextNode(a.name || '')]),
        el('td', { text: l.key }),
        el('td', { class: 'num spend-30d', 'data-micros': String(l.total), text: usd(l.total) }),
        el('td', { class: 'num spend-all', 'data-micros': String(a.spent_micros), text: usd(a.spent_micros) }),
        el('td', { class: 'num balance', text: usd(a.balance_micros) })
      ]));
    });
    if (!lines.length) {
      body.appendChild(el('tr', {}, [el('td', { colspan: '5', class: 'empty', text: 'No customer has spent anything yet.' })]));
    }
  }

  // ---- market share -------------------------------------------------------------------------------

  function loadShares() {
    return Promise.all(['author', 'model', 'provider'].map(function (by) {
      return admin('/admin/analytics/market-share?by=' + by + '&window=' + state.window + '&metric=' + state.metric)
        .then(function (shares) { drawShares(by, shares); });
    }));
  }

  function drawShares(by, shares) {
    var box = $('share-' + by);
    box.innerHTML = '';
    box.setAttribute('data-total', String(shares.total));
    var total = state.metric === 'spend' ? usd(shares.total) : count(shares.total) + ' tokens';
    box.appendChild(el('div', { class: 'total', text: 'Total ' + total }));
    if (!shares.data.length) { box.appendChild(el('p', { class: 'empty', text: 'Nothing in this window.' })); return; }
    shares.data.slice(0, 10).forEach(function (s, k) {
      var value = state.metric === 'spend' ? usd(s.value) : count(s.value);
      box.appendChild(el('div', { class: 'row', 'data-key': s.key, 'data-value': String(s.value), title: value }, [
        el('span', { class: 'name', text: s.key || '(unknown)' }),
        el('span', { class: 'bar' }, [el('span', { style: 'width:' + (Number(s.share) * 100) + '%;background:' + COLORS[k % COLORS.length] })]),
        el('span', { class: 'pct', text: pct(s.share) })
      ]));
    });
  }

  // ---- provider health and workers (from the router) ----------------------------------------------

  function loadHealth() {
    $('router-source').textContent = 'from ' + routerUrl() + '/v1/providers/health';
    return fetch(routerUrl() + '/v1/providers/health', { cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error('router answered HTTP ' + r.status); }
      return r.json();
    }).then(function (report) {
      $('health-error').textContent = '';
      drawHealth(report.endpoints);
      drawWorkers(report.workers);
    }).catch(function (e) {
      // The ledger figures stay useful without the router: say what is missing, keep the rest.
      $('health-error').textContent = 'Router unreachable at ' + routerUrl() + ' (' + e.message + ')';
    });
  }

  function uptimeCell(uptime) {
    if (uptime === null || uptime === undefined) { return el('td', { class: 'num', text: '—' }); }
    var cls = uptime >= 0.95 ? 'good' : uptime >= 0.8 ? 'fair' : 'poor';
    return el('td', { class: 'num ' + cls, text: (uptime * 100).toFixed(1) + '%' });
  }

  function drawHealth(endpoints) {
    var body = $('health-table').tBodies[0];
    body.innerHTML = '';
    endpoints.forEach(function (e) {
      body.appendChild(el('tr', { 'data-endpoint': e.id }, [
        el('td', { text: e.provider + ' · ' + e.model }),
        el('td', {}, [el('span', { class: 'pill ' + e.circuit, text: e.circuit.replace('_', '-') })]),
        uptimeCell(e.uptime),
        el('td', { class: 'num', text: ms(e.latency_p50_ms) }),
        el('td', { class: 'num', text: ms(e.latency_p99_ms) }),
        el('td', { class: 'num', text: ms(e.ttft_p50_ms) }),
        el('td', { class: 'num', text: e.throughput_tokens_per_second < 0 ? '—' : e.throughput_tokens_per_second + ' tok/s' }),
        el('td', { class: 'num requests', text: count(e.requests_30m) })
      ]));
    });
    if (!endpoints.length) {
      body.appendChild(el('tr', {}, [el('td', { colspan: '8', class: 'empty', text: 'No endpoint has served traffic yet.' })]));
    }
  }

  function meter(used, max) {
    var f = max > 0 ? Math.min(1, used / max) : 0;
    return el('td', {}, [el('span', { class: 'meter' }, [el('span', { style: 'width:' + f * 100 + '%' })]),
      document.createTextNode(used + ' / ' + max)]);
  }

  function drawWorkers(workers) {
    var body = $('worker-table').tBodies[0];
    body.innerHTML = '';
    workers.forEach(function (w) {
      body.appendChild(el('tr', { 'data-worker': w.id }, [
        el('td', { text: w.id }), el('td', { text: w.gpu_type }), el('td', { text: w.models.join(', ') }),
        meter(w.running, w.max_running), meter(w.queued, w.max_queued),
        meter(Math.round(w.kv_cache_use * 100), 100),
        el('td', { class: 'num', text: w.tokens_per_second.toFixed(0) }),
        el('td', { class: 'num', text: ms(w.estimated_ttft_ms) })
      ]));
    });
    if (!workers.length) {
      body.appendChild(el('tr', {}, [el('td', { colspan: '8', class: 'empty', text: 'No self-hosted worker is registered.' })]));
    }
  }

  // ---- refresh loop and controls ------------------------------------------------------------------

  function refresh() {
    clearTimeout(state.timer);
    Promise.all([loadSpend(), loadShares(), loadHealth()]).then(function () {
      $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
      document.body.setAttribute('data-loaded', 'true');
    }).catch(function (e) {
      if (e instanceof AuthError) { logout(e.message); return; }
      $('status').textContent = 'refresh failed: ' + e.message;
    }).then(function () {
      if (token()) { state.timer = setTimeout(refresh, REFRESH_MS); }
    });
  }

  function show() {
    var in_ = !!token();
    $('login').hidden = in_;
    $('board').hidden = !in_;
    $('logout').hidden = !in_;
    if (in_) { refresh(); }
  }

  function logout(why) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(state.timer);
    document.body.removeAttribute('data-loaded');
    $('login-error').textContent = why || '';
    $('status').textContent = 'not connected';
    show();
  }

  function segmented(id, attr, key) {
    $(id).addEventListener('click', function (ev) {
      var b = ev.target.closest('button');
      if (!b) { return; }
      Array.prototype.forEach.call($(id).children, function (c) { c.classList.toggle('on', c === b); });
      state[key] = b.getAttribute(attr);
      refresh();
    });
  }

  $('router-url').value = routerUrl();
  $('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    localStorage.setItem(ROUTER_KEY, $('router-url').value.trim() || 'http://127.0.0.1:8080');
    $('login-error').textContent = '';
    show();
  });
  $('logout').addEventListener('click', function () { logout(''); });
  segmented('windows', 'data-window', 'window');
  segmented('metrics', 'data-metric', 'metric');
  show();
}());
