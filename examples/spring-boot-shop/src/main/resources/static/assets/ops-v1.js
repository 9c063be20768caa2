// Operator page: polls /api/ops every second, turns cumulative decision counts into rates and
// draws them with uPlot (a WebJar). No framework; the page keeps the last five minutes.
(function () {
  'use strict';
  var SHOWN = ['CONFIRMED', 'SOLD_OUT', 'LIMIT_REACHED', 'OVERLOADED', 'THROTTLED', 'OTHER'];
  var COLORS = ['#1a7f37', '#888', '#6f42c1', '#c00', '#b35900', '#0969da'];
  var KEEP = 300;
  var times = [], rates = SHOWN.map(function () { return []; }), remaining = [];
  var previous = null, soldOutAt = null;

  function chart(id, title, series, data) {
    var el = document.getElementById(id);
    var width = Math.min(900, document.body.clientWidth - 40);
    return new uPlot({ title: title, width: width, height: 220, series: series }, data, el);
  }
  var ratesChart = chart('rates-chart', 'decisions per second, by outcome',
    [{}].concat(SHOWN.map(function (name, i) {
      return { label: name.toLowerCase(), stroke: COLORS[i], width: 2 };
    })), [times].concat(rates));
  var stockChart = chart('stock-chart', 'units remaining (all sales)',
    [{}, { label: 'remaining', stroke: '#0969da', width: 2 }], [times, remaining]);

  function text(id, value) { document.getElementById(id).textContent = value; }
  function sum(obj) { var s = 0; for (var k in obj) { s += obj[k]; } return s; }

  function totals(ops) {
    var t = { all: 0, remaining: 0, initial: 0 };
    SHOWN.forEach(function (n) { t[n] = 0; });
    ops.sales.forEach(function (sale) {
      var d = sale.decisions;
      t.all += sum(d);
      t.remaining += sale.remaining;
      t.initial += sale.initialStock;
      var shown = 0;
      SHOWN.forEach(function (n) { if (n !== 'OTHER') { t[n] += d[n] || 0; shown += d[n] || 0; } });
      t.OTHER += sum(d) - shown;
    });
    return t;
  }

  function render(ops) {
    var h = document.getElementById('health');
    h.textContent = ops.health;
    h.className = 'figure ' + ops.health;
    var reasons = document.getElementById('reasons');
    reasons.innerHTML = '';
    ops.reasons.forEach(function (r) {
      var li = document.createElement('li'); li.textContent = r; reasons.appendChild(li);
    });
    var salesBody = document.getElementById('sales');
    salesBody.innerHTML = '';
    ops.sales.forEach(function (s) {
      var tr = document.createElement('tr');
      [s.id, s.phase, s.remaining, s.initialStock, s.decisions.CONFIRMED].forEach(function (v) {
        var td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
      });
      salesBody.appendChild(tr);
    });
    var shardsBody = document.getElementById('shards');
    shardsBody.innerHTML = '';
    ops.shards.forEach(function (s) {
      var tr = document.createElement('tr');
      [s.shard, s.ringUsed + ' / ' + s.ringSize, s.outboxSize + ' / ' + s.outboxCapacity,
        s.failedStores].forEach(function (v) {
        var td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
      });
      shardsBody.appendChild(tr);
    });
    text('latency', ops.decisionP50Millis.toFixed(2) + ' / ' + ops.decisionP99Millis.toFixed(2));

    var t = totals(ops);
    if (previous !== null) {
      var seconds = Math.max(0.001, (ops.takenAtMillis - previous.at) / 1000);
      times.push(ops.takenAtMillis / 1000);
      SHOWN.forEach(function (n, i) { rates[i].push(Math.max(0, (t[n] - previous.t[n]) / seconds)); });
      remaining.push(t.remaining);
      if (times.length > KEEP) {
        times.shift(); remaining.shift(); rates.forEach(function (r) { r.shift(); });
      }
      text('rate', Math.round((t.all - previous.t.all) / seconds));
      text('confirmed-rate', Math.round((t.CONFIRMED - previous.t.CONFIRMED) / seconds));
      ratesChart.setData([times].concat(rates));
      stockChart.setData([times, remaining]);
    }
    if (soldOutAt === null && t.initial > 0 && t.remaining === 0) {
      soldOutAt = new Date(ops.takenAtMillis);
      text('soldout', 'SOLD OUT at ' + soldOutAt.toISOString().substring(11, 19) + ' UTC');
    }
    previous = { at: ops.takenAtMillis, t: t };
  }

  function poll() {
    fetch('/api/ops', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function (e) { text('health', 'unreachable'); console.warn(e); })
      .finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
