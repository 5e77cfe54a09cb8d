/**
 * The stylesheet and script inlined into the HTML report. Kept apart from the markup builder so they
 * read as CSS and JavaScript. The script is plain ES2017 without modules or network access: it reads
 * the embedded JSON, filters and sorts the server-rendered rows, and fills the detail panel using
 * DOM APIs and `textContent` only (never `innerHTML`), so advisory text cannot inject markup.
 */

export const REPORT_CSS = `
:root {
  --bg: #f7f8fa; --fg: #1b1f24; --muted: #57606a; --card: #ffffff; --line: #d0d7de; --accent: #0b5cad;
  --critical: #8b0000; --high: #c4320a; --medium: #8a6100; --low: #1f5fa8; --negligible: #5b6470; --unknown: #5b6470;
  --critical-bg: #fde2e1; --high-bg: #ffe7d6; --medium-bg: #fff4cc; --low-bg: #ddeeff; --negligible-bg: #eceff2; --unknown-bg: #eceff2;
  --focus: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1419; --fg: #e6edf3; --muted: #9da7b3; --card: #161b22; --line: #30363d; --accent: #58a6ff;
    --critical: #ff8080; --high: #ffa057; --medium: #e3b341; --low: #79b8ff; --negligible: #a0a8b2; --unknown: #a0a8b2;
    --critical-bg: #4a1414; --high-bg: #4a2610; --medium-bg: #3d3010; --low-bg: #10294a; --negligible-bg: #262c33; --unknown-bg: #262c33;
    --focus: #58a6ff;
  }
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem; z-index: 10; }
header.top { background: var(--card); border-bottom: 1px solid var(--line); padding: 1.2rem 2rem; }
header.top h1 { margin: 0 0 .2rem; font-size: 1.45rem; }
header.top .subject { font-size: 1.1rem; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .4rem 1.5rem; margin: .9rem 0 0; }
dl.facts div { min-width: 0; }
dl.facts dt { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
main { padding: 1.2rem 2rem 2rem; max-width: 1500px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.3rem; margin-bottom: 1.3rem; }
section.card > h2 { margin: 0 0 .8rem; font-size: 1.2rem; }
.summary { display: flex; flex-wrap: wrap; gap: 2rem; align-items: flex-start; }
.summary svg { max-width: 100%; height: auto; color: var(--fg); }
.summary svg text { font: 13px system-ui, sans-serif; fill: currentColor; }
.stats { display: grid; grid-template-columns: repeat(2, minmax(8rem, 1fr)); gap: .6rem 1.2rem; margin: 0; }
.stats div { border-left: 4px solid var(--line); padding-left: .6rem; }
.stats dt { color: var(--muted); font-size: .85rem; }
.stats dd { margin: 0; font-size: 1.5rem; font-weight: 600; }
.stats .kev { border-color: var(--critical); }
.warning { border: 1px solid var(--medium); background: var(--medium-bg); border-radius: 6px; padding: .6rem .9rem; margin-top: 1rem; }
.warning h3 { margin: 0 0 .3rem; font-size: 1rem; }
.controls { display: flex; flex-wrap: wrap; gap: .8rem 1.4rem; align-items: center; margin-bottom: .8rem; }
.controls input[type=search] { padding: .4rem .6rem; min-width: 18rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit; }
.controls select { padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit; }
#count { color: var(--muted); margin: 0 0 .5rem; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; }
@media (min-width: 1200px) { .layout.open { grid-template-columns: minmax(0, 1fr) 26rem; } }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .82rem; color: var(--muted); white-space: nowrap; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button::after { content: " \\2195"; opacity: .35; }
th[aria-sort=ascending] button::after { content: " \\2191"; opacity: 1; }
th[aria-sort=descending] button::after { content: " \\2193"; opacity: 1; }
td.nowrap { white-space: nowrap; }
dl.facts div.wide { grid-column: span 2; }
@media (max-width: 700px) { dl.facts div.wide { grid-column: auto; } }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.suppressed td { opacity: .62; }
tr.selected td { background: var(--low-bg); }
button.vuln { all: unset; white-space: nowrap; cursor: pointer; color: var(--accent); font-weight: 600; text-decoration: underline; text-underline-offset: 2px; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .55rem; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.sev-critical { color: var(--critical); background: var(--critical-bg); }
.sev-high { color: var(--high); background: var(--high-bg); }
.sev-medium { color: var(--medium); background: var(--medium-bg); }
.sev-low { color: var(--low); background: var(--low-bg); }
.sev-negligible, .sev-unknown { color: var(--negligible); background: var(--negligible-bg); }
.os-owned { border: 1px solid var(--medium, #b58900); border-radius: 4px; padding: 0 .3rem; font-size: .75rem; }
.kev-badge { color: #fff; background: var(--critical); border-radius: 4px; padding: 0 .35rem; font-size: .75rem; font-weight: 700; }
@media (prefers-color-scheme: dark) { .kev-badge { color: #000; } }
.muted { color: var(--muted); }
.fix { color: var(--fg); }
.nofix { color: var(--muted); font-style: italic; }
aside#detail { border: 1px solid var(--line); border-radius: 8px; padding: .9rem 1.1rem; background: var(--bg); align-self: start; position: sticky; top: 1rem; max-height: calc(100vh - 2rem); overflow: auto; }
aside#detail h3 { margin: 0 0 .3rem; font-size: 1.15rem; overflow-wrap: anywhere; }
aside#detail h4 { margin: .9rem 0 .25rem; font-size: .9rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
aside#detail dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem .8rem; margin: 0; }
aside#detail dt { color: var(--muted); }
aside#detail dd { margin: 0; overflow-wrap: anywhere; }
aside#detail ul { margin: .2rem 0; padding-left: 1.2rem; overflow-wrap: anywhere; }
aside#detail .close { float: right; }
.match { border-left: 3px solid var(--line); padding-left: .6rem; margin: .4rem 0; }
ol.layers { list-style: none; padding: 0; margin: 0; }
ol.layers > li { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; margin-bottom: .7rem; }
.layer-head { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: baseline; }
.layer-head .idx { font-weight: 700; }
.layer-head code { overflow-wrap: anywhere; }
.layer-pkgs { margin: .5rem 0 0; padding-left: 1.2rem; }
.layer-pkgs li { margin: .15rem 0; }
.layer-pkgs button.vuln { margin-right: .5rem; font-weight: 500; }
footer { color: var(--muted); font-size: .85rem; padding: 0 2rem 2rem; }
button.plain { font: inherit; padding: .25rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); cursor: pointer; }
`;

/* The client script. Written without backticks or template placeholders: it lives in a template literal. */
export const REPORT_JS = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('bulwark-data').textContent);
  var findings = data.findings;
  var table = document.getElementById('findings');
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.querySelectorAll('tr[data-i]'));
  var q = document.getElementById('q');
  var sev = document.getElementById('sev');
  var fixOnly = document.getElementById('fixable-only');
  var showSupp = document.getElementById('show-suppressed');
  var count = document.getElementById('count');
  var panel = document.getElementById('detail');
  var layout = document.getElementById('layout');

  function apply() {
    var terms = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var level = sev.value;
    var shown = 0;
    rows.forEach(function (tr) {
      var f = findings[Number(tr.getAttribute('data-i'))];
      var ok = (!level || f.severity === level) &&
        (!fixOnly.checked || f.fixable) &&
        (showSupp.checked || !f.suppressed) &&
        terms.every(function (t) { return f.search.indexOf(t) !== -1; });
      tr.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' findings shown';
  }

  var KEYS = {
    risk: function (f) { return f.risk; },
    id: function (f) { return f.id; },
    severity: function (f) { return f.severityRank; },
    package: function (f) { return f.package.name.toLowerCase(); },
    installed: function (f) { return f.package.version; },
    fixed: function (f) { return f.fixable ? f.fixedVersion : '~'; },
    epss: function (f) { return f.epss ? f.epss.score : -1; },
    layer: function (f) { return f.layer === null ? -1 : f.layer; }
  };
  function compare(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function sortBy(key, dir) {
    var get = KEYS[key];
    var sign = dir === 'ascending' ? 1 : -1;
    var ordered = rows.slice().sort(function (ra, rb) {
      var ia = Number(ra.getAttribute('data-i'));
      var ib = Number(rb.getAttribute('data-i'));
      return sign * compare(get(findings[ia]), get(findings[ib])) || ia - ib;
    });
    ordered.forEach(function (tr) { tbody.appendChild(tr); });
    Array.prototype.forEach.call(table.tHead.querySelectorAll('th[data-key]'), function (th) {
      if (th.getAttribute('data-key') === key) th.setAttribute('aria-sort', dir);
      else th.removeAttribute('aria-sort');
    });
  }
  Array.prototype.forEach.call(table.tHead.querySelectorAll('th[data-key] button'), function (button) {
    button.addEventListener('click', function () {
      var th = button.parentNode;
      var key = th.getAttribute('data-key');
      var current = th.getAttribute('aria-sort');
      var initial = th.getAttribute('data-first') || 'ascending';
      var dir = current ? (current === 'ascending' ? 'descending' : 'ascending') : initial;
      sortBy(key, dir);
    });
  });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function link(url, text) {
    var a = el('a', text || url);
    a.href = url;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    return a;
  }
  function row(dl, label, value) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', label));
    var dd = el('dd');
    if (typeof value === 'string' || typeof value === 'number') dd.textContent = String(value);
    else dd.appendChild(value);
    dl.appendChild(dd);
  }
  function code(text) { return el('code', text); }

  function show(i) {
    var f = findings[i];
    if (!f) return;
    rows.forEach(function (tr) { tr.classList.toggle('selected', Number(tr.getAttribute('data-i')) === i); });
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    var close = el('button', 'Close', 'plain close');
    close.type = 'button';
    close.addEventListener('click', function () { panel.hidden = true; layout.classList.remove('open'); });
    panel.appendChild(close);
    var h = el('h3');
    h.appendChild(f.url ? link(f.url, f.id) : el('span', f.id));
    panel.appendChild(h);
    var badges = el('p');
    badges.appendChild(el('span', f.severity, 'badge sev-' + f.severity));
    if (f.kev) { badges.appendChild(document.createTextNode(' ')); badges.appendChild(el('span', 'KEV', 'kev-badge')); }
    if (f.suppressed) badges.appendChild(el('span', ' suppressed', 'muted'));
    panel.appendChild(badges);
    if (f.summary) panel.appendChild(el('p', f.summary));

    panel.appendChild(el('h4', 'Package'));
    var dl = el('dl');
    row(dl, 'Name', code(f.package.name));
    row(dl, 'Installed', code(f.package.version));
    row(dl, 'Type', f.package.type);
    row(dl, 'PURL', f.package.purl ? code(f.package.purl) : '');
    row(dl, 'Path', f.package.path ? code(f.package.path) : '');
    row(dl, 'Layer', f.layerLabel ? code(f.layerLabel) : '');
    if (f.ownedBy) row(dl, 'Owned by', f.ownedBy + ' — the distribution may have backported the fix');
    panel.appendChild(dl);

    panel.appendChild(el('h4', 'Fix'));
    dl = el('dl');
    row(dl, 'State', f.fixLabel);
    row(dl, 'Fixed in', f.fixedVersion ? code(f.fixedVersion) : '');
    row(dl, 'All fixes', f.fixedVersions.length ? f.fixedVersions.join(', ') : '');
    panel.appendChild(dl);

    panel.appendChild(el('h4', 'Severity and exploitation'));
    dl = el('dl');
    row(dl, 'Severity', f.severity + ' (from ' + f.severitySource + ')');
    if (f.cvss) row(dl, 'CVSS ' + f.cvss.version, f.cvss.score + ' ' + f.cvss.vector);
    if (f.epss) row(dl, 'EPSS', (f.epss.score * 100).toFixed(2) + '% (percentile ' + (f.epss.percentile * 100).toFixed(1) + ', ' + f.epss.date + ')');
    if (f.kev) row(dl, 'CISA KEV', 'added ' + f.kev.dateAdded + (f.kev.dueDate ? ', due ' + f.kev.dueDate : '') + (f.kev.ransomware ? ', used in ransomware' : ''));
    row(dl, 'Published', f.published);
    row(dl, 'Modified', f.modified);
    panel.appendChild(dl);

    if (f.suppressed) {
      panel.appendChild(el('h4', 'Suppressed'));
      dl = el('dl');
      row(dl, 'By', f.suppressed.kind === 'vex' ? 'VEX statement' : 'ignore rule');
      row(dl, 'Source', code(f.suppressed.source));
      row(dl, 'Status', f.suppressed.status);
      row(dl, 'Justification', f.suppressed.justification);
      row(dl, 'Reason', f.suppressed.reason);
      row(dl, 'Expires', f.suppressed.expires);
      panel.appendChild(dl);
    }

    if (f.aliases.length) {
      panel.appendChild(el('h4', 'Aliases'));
      var ul = el('ul');
      f.aliases.forEach(function (a) {
        var li = el('li');
        li.appendChild(a.url ? link(a.url, a.id) : el('span', a.id));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }

    panel.appendChild(el('h4', 'Why it matched'));
    f.matches.forEach(function (m) {
      var box = el('div', null, 'match');
      var mdl = el('dl');
      row(mdl, 'Record', code(m.recordId));
      row(mdl, 'Matcher', m.matcher);
      row(mdl, 'Searched', m.ecosystem + ' / ' + m.name + ' ' + m.version);
      row(mdl, 'Range', m.reason);
      box.appendChild(mdl);
      panel.appendChild(box);
    });

    if (f.references.length) {
      panel.appendChild(el('h4', 'References'));
      var refs = el('ul');
      f.references.forEach(function (r) {
        var li = el('li');
        li.appendChild(r.safe ? link(r.url) : code(r.url));
        refs.appendChild(li);
      });
      panel.appendChild(refs);
    }
    panel.hidden = false;
    layout.classList.add('open');
    panel.focus();
  }

  document.addEventListener('click', function (ev) {
    var t = ev.target;
    var button = t && t.closest ? t.closest('button[data-show]') : null;
    if (button) show(Number(button.getAttribute('data-show')));
  });
  [q, sev, fixOnly, showSupp].forEach(function (c) {
    c.addEventListener('input', apply);
    c.addEventListener('change', apply);
  });
  apply();
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
