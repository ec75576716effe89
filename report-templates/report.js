/* espy report: progressive enhancement only. The page is complete without this script.
 * - every table.sortable gets sort buttons in its header; table[data-filter] a filter box;
 * - the timeline pages, filters and sorts every row of the #timeline-data JSON block.
 * Text only ever reaches the DOM through textContent (never innerHTML): evidence strings are
 * attacker-controlled. Allowed by the page's CSP through this script's sha256 hash. */
/* global document, window */
/* eslint-disable no-control-regex */
(function () {
  'use strict';
  var HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]/g;
  var SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'];
  var PAGE = 100;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /** Appends text to a node, showing hidden/bidi characters as visible \uXXXX markers. */
  function putText(node, text) {
    var s = String(text);
    var last = 0;
    HIDDEN.lastIndex = 0;
    var m;
    while ((m = HIDDEN.exec(s)) !== null) {
      if (m.index > last) node.appendChild(document.createTextNode(s.slice(last, m.index)));
      var hex = m[0].codePointAt(0).toString(16).toUpperCase();
      while (hex.length < 4) hex = '0' + hex;
      var mark = el('span', 'cc', hex.length > 4 ? '\\u{' + hex + '}' : '\\u' + hex);
      mark.title = 'hidden character U+' + hex;
      node.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (last < s.length) node.appendChild(document.createTextNode(s.slice(last)));
  }

  /** putText for a path: a line may break after each \ or /, never inside a name. */
  function putPath(node, text) {
    var parts = String(text).split(/(?<=[\\/])/);
    for (var i = 0; i < parts.length; i++) {
      if (i > 0) node.appendChild(document.createElement('wbr'));
      putText(node, parts[i]);
    }
  }

  function cellKey(td) {
    if (!td) return '';
    var v = td.getAttribute('data-v');
    return v !== null ? v : td.textContent || '';
  }

  function compare(a, b, numeric) {
    if (numeric) {
      var x = parseFloat(a), y = parseFloat(b);
      if (isNaN(x)) x = -Infinity;
      if (isNaN(y)) y = -Infinity;
      return x - y;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function headerButton(th, onClick) {
    var b = el('button', 'sort', '');
    b.type = 'button';
    while (th.firstChild) b.appendChild(th.firstChild);
    b.appendChild(el('span', 'arrow', ''));
    th.appendChild(b);
    b.addEventListener('click', onClick);
    return b;
  }

  function setSorted(ths, th, asc) {
    for (var i = 0; i < ths.length; i++) ths[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
  }

  function enhanceTable(table) {
    var ths = table.querySelectorAll('thead th');
    var tbody = table.tBodies[0];
    if (!tbody) return;
    Array.prototype.forEach.call(ths, function (th, col) {
      var numeric = th.getAttribute('data-type') === 'num';
      headerButton(th, function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        var rows = Array.prototype.slice.call(tbody.rows).map(function (r, i) {
          return { r: r, k: cellKey(r.cells[col]), i: i };
        });
        rows.sort(function (a, b) {
          var c = compare(a.k, b.k, numeric);
          return (asc ? c : -c) || a.i - b.i;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (x) { frag.appendChild(x.r); });
        tbody.appendChild(frag);
        setSorted(ths, th, asc);
      });
    });
    if (table.getAttribute('data-filter') === '1') {
      var box = el('div', 'filter-box no-print');
      var label = el('label', '', 'Filter ');
      var input = el('input');
      input.type = 'search';
      input.placeholder = 'text in any column';
      input.setAttribute('aria-controls', table.id);
      input.className = 'table-filter';
      var count = el('span', 'muted filter-count', '');
      label.appendChild(input);
      box.appendChild(label);
      box.appendChild(count);
      var wrap = table.parentNode;
      wrap.parentNode.insertBefore(box, wrap);
      input.addEventListener('input', function () {
        var q = input.value.toLowerCase();
        var shown = 0;
        Array.prototype.forEach.call(tbody.rows, function (r) {
          var hit = !q || (r.textContent || '').toLowerCase().indexOf(q) >= 0;
          r.hidden = !hit;
          if (hit) shown++;
        });
        count.textContent = q ? shown + ' of ' + tbody.rows.length + ' rows' : '';
      });
    }
  }

  function sevBadge(sev) {
    var known = SEVERITIES.indexOf(sev) >= 0;
    return el('span', 'sev sev-' + (known ? sev : 'none'), sev);
  }

  function timeline() {
    var dataEl = document.getElementById('timeline-data');
    var body = document.getElementById('timeline-body');
    var table = document.getElementById('timeline-table');
    if (!dataEl || !body || !table) return;
    var data;
    try {
      data = JSON.parse(dataEl.textContent || '');
    } catch {
      return; // the server-rendered rows stay
    }
    if (!data || data.v !== 1 || !data.rows || !data.strings) return;
    var S = data.strings, R = data.rows;
    var src = document.getElementById('tl-source');
    var sevSel = document.getElementById('tl-severity');
    var search = document.getElementById('tl-search');
    var status = document.getElementById('tl-status');
    var prev = document.getElementById('tl-prev');
    var next = document.getElementById('tl-next');
    var controls = document.getElementById('tl-controls');
    var note = document.getElementById('tl-truncated');
    if (controls) controls.hidden = false;
    if (note) note.hidden = true;
    var hay = null;
    var view = [];
    var page = 0;
    var sortCol = -1, asc = true;

    function str(row, i) { var v = row[i]; return typeof v === 'number' ? S[v] : ''; }
    function where(row) {
      var w = S[row[8]] || '';
      if (row[9]) w += ', record ' + row[9];
      if (row[10]) w += ', line ' + row[10];
      if (row[11]) w += ', offset 0x' + row[11].toString(16);
      return w;
    }
    function text(row) {
      return [row[0], row[1] || '', S[row[2]], S[row[3]], row[4] === null ? '' : row[4], S[row[5]], S[row[6]], S[row[7]], where(row)]
        .join('\u0001').toLowerCase();
    }
    function key(row, col) {
      if (col === 0 || col === 1) return row[col] || '';
      if (col === 8) return where(row);
      if (col === 4) return row[4] === null ? -1 : row[4];
      if (col === 5) { var i = SEVERITIES.indexOf(S[row[5]]); return i < 0 ? 9 : i; }
      return S[row[col]] || '';
    }
    function apply() {
      var s = src ? src.value : '';
      var sv = sevSel ? sevSel.value : '';
      var q = search ? search.value.toLowerCase() : '';
      if (q && !hay) hay = R.map(text);
      var maxRank = SEVERITIES.indexOf(sv);
      view = [];
      for (var i = 0; i < R.length; i++) {
        var row = R[i];
        if (s && S[row[2]] !== s) continue;
        if (sv) {
          var rank = SEVERITIES.indexOf(S[row[5]]);
          if (rank < 0) continue;
          if (sv !== 'flagged' && rank > maxRank) continue;
        }
        if (q && hay[i].indexOf(q) < 0) continue;
        view.push(i);
      }
      if (sortCol >= 0) {
        var col = sortCol, dir = asc ? 1 : -1;
        view.sort(function (a, b) {
          var x = key(R[a], col), y = key(R[b], col);
          return (x < y ? -dir : x > y ? dir : 0) || a - b;
        });
      }
      page = 0;
      draw();
    }
    function draw() {
      var pages = Math.max(1, Math.ceil(view.length / PAGE));
      if (page >= pages) page = pages - 1;
      var frag = document.createDocumentFragment();
      var end = Math.min(view.length, (page + 1) * PAGE);
      for (var j = page * PAGE; j < end; j++) {
        var row = R[view[j]];
        var tr = document.createElement('tr');
        var cells = [
          String(row[0]).replace('T', ' '), row[1] || '', str(row, 2), row[4] === null ? '' : row[4], null, str(row, 6), str(row, 7), where(row),
        ];
        for (var c = 0; c < cells.length; c++) {
          var td = document.createElement('td');
          if (c === 4) { var sv = S[row[5]]; if (sv) td.appendChild(sevBadge(sv)); }
          else if (c === 7) putPath(td, cells[c]);
          else putText(td, cells[c]);
          if (c < 2) td.className = 'c-time';
          if (c === 5) td.className = 'msg';
          if (c === 7) td.className = 'small';
          if (c === 6 && typeof row[12] === 'number' && S[row[12]]) td.title = S[row[12]];
          tr.appendChild(td);
        }
        frag.appendChild(tr);
      }
      body.textContent = '';
      body.appendChild(frag);
      if (status) {
        status.textContent = view.length === 0
          ? 'no matching events (' + R.length + ' in total)'
          : 'events ' + (page * PAGE + 1) + '\u2013' + end + ' of ' + view.length +
            (view.length !== R.length ? ' matching (' + R.length + ' in total)' : '') + ', page ' + (page + 1) + ' of ' + pages;
      }
      if (prev) prev.disabled = page === 0;
      if (next) next.disabled = page >= pages - 1;
    }
    var ths = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(ths, function (th) {
      var col = parseInt(th.getAttribute('data-key') || '-1', 10);
      headerButton(th, function () {
        asc = !(sortCol === col && asc);
        sortCol = col;
        setSorted(ths, th, asc);
        apply();
      });
    });
    if (src) src.addEventListener('change', apply);
    if (sevSel) sevSel.addEventListener('change', apply);
    if (search) {
      var timer = 0;
      search.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(apply, 150);
      });
    }
    if (prev) prev.addEventListener('click', function () { if (page > 0) { page--; draw(); } });
    if (next) next.addEventListener('click', function () { page++; draw(); });
    apply();
  }

  function init() {
    document.documentElement.classList.add('js');
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), enhanceTable);
    timeline();
    window.addEventListener('beforeprint', function () {
      Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) { d.open = true; });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
