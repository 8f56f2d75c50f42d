/* Chorus search page: reads the index that generator/search.py writes under search/.
   Only classic <script> tags are used to load it (no fetch, modules or workers), so the
   same files work from a web server and from file://. normalise() and queryTokens() must
   give exactly what the Python functions of the same names give; tests/test_search.py checks. */
(function (global) {
  "use strict";

  // ---- normalising and tokenising (mirrors generator/search.py) ----
  var FOLDS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d",
               "ı": "i", "ς": "σ", "_": " "};
  var FOLD_RE = /[ßæœøđłþðıς_]/g;
  var MARKS_RE = /[\p{Mn}\p{Me}]+/gu;
  var TOKEN_RE = /[\p{L}\p{N}\p{Mc}]+/gu;
  var WORD_EDGE = "[\\p{L}\\p{N}\\p{Mc}]";
  var JOIN_SEPARATOR = "[ \\t\\n\\r\\f\\v'\\u2019\\u2010-\\u2013-]+";
  var MAX_TOKEN_LENGTH = 40;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var a = 0; a < ALPHABET.length; a++) { DIGIT[ALPHABET.charCodeAt(a)] = a; }
  var joins = [];

  function normalise(text) {
    text = text.toLowerCase();
    if (/^[\x00-\x7f]*$/.test(text)) { return text.replace(/_/g, " "); }
    return text.normalize("NFKD").replace(MARKS_RE, "").replace(FOLD_RE, function (c) { return FOLDS[c]; });
  }

  function splitTokens(folded) {
    var found = folded.match(TOKEN_RE) || [];
    return found.filter(function (t) { return t.length <= MAX_TOKEN_LENGTH || Array.from(t).length <= MAX_TOKEN_LENGTH; });
  }

  function tokens(text) { return splitTokens(normalise(text)); }

  function setJoins(list) {
    joins = list.map(function (entry) {
      var words = entry[0];
      return {words: words, joined: entry[1],
              pattern: new RegExp("(?<!" + WORD_EDGE + ")" + words.join(JOIN_SEPARATOR) + "(?!" + WORD_EDGE + ")", "gu")};
    });
  }

  function queryTokens(text) {
    var folded = normalise(text);
    joins.forEach(function (join) { folded = folded.replace(join.pattern, join.joined); });
    return splitTokens(folded);
  }

  // ---- the index format ----
  function decodeNumbers(text) {
    var values = [], value = 0, shift = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      value += (digit & 31) * Math.pow(2, shift);
      if (digit & 32) { shift += 5; } else { values.push(value); value = 0; shift = 0; }
    }
    return values;
  }

  function decodeGaps(text) {
    var gaps = decodeNumbers(text), ids = [], previous = -1;
    for (var i = 0; i < gaps.length; i++) { previous += gaps[i] + 1; ids.push(previous); }
    return ids;
  }

  /* Postings of one term: doc ids ascending and their BM25F pseudo-frequencies. */
  function decodePostings(text, scale) {
    var numbers = decodeNumbers(text), docs = [], freqs = [], previous = -1;
    for (var i = 0; i + 1 < numbers.length; i += 2) {
      previous += numbers[i] + 1;
      docs.push(previous);
      freqs.push(numbers[i + 1] / scale);
    }
    return {docs: docs, freqs: freqs};
  }

  /* Positions of one term: a Map from doc id to its positions, for the docs of its postings. */
  function decodePositions(text, docs) {
    var numbers = decodeNumbers(text), map = new Map(), at = 0;
    for (var d = 0; d < docs.length; d++) {
      var count = numbers[at++], places = [], place = 0;
      for (var k = 0; k < count; k++) { place += numbers[at++]; places.push(place); }
      map.set(docs[d], places);
    }
    return map;
  }

  /* Index of the shard whose first term is the last one not after term. */
  function shardOf(firsts, term) {
    var low = 0, high = firsts.length - 1;
    while (low < high) {
      var mid = (low + high + 1) >> 1;
      if (firsts[mid] <= term) { low = mid; } else { high = mid - 1; }
    }
    return low;
  }

  /* Split a query into free words (the last may be a prefix) and "quoted phrases". */
  function parseQuery(raw) {
    var phrases = [], free = [], match, quoted = /"([^"]*)("|$)/g, last = 0;
    while ((match = quoted.exec(raw)) !== null) {
      free.push(raw.slice(last, match.index));
      var words = queryTokens(match[1]);
      if (words.length) { phrases.push(words); }
      last = quoted.lastIndex;
      if (match[0].length === 0) { break; }
    }
    var tail = raw.slice(last);
    free.push(tail);
    var words = queryTokens(free.join(" "));
    var prefix = null;
    if (words.length && /[\p{L}\p{N}\p{M}]$/u.test(tail)) {
      prefix = words.pop();
      // "me to" is on its way to "me too": look for the joined spelling's prefix.
      joins.forEach(function (join) {
        var n = join.words.length;
        for (var k = 2; k <= n; k++) {
          var before = words.slice(words.length - (k - 1));
          if (before.length === k - 1 && before.join(" ") === join.words.slice(0, k - 1).join(" ") &&
              join.words[k - 1].indexOf(prefix) === 0) {
            words = words.slice(0, words.length - (k - 1));
            prefix = before.join("") + prefix;
          }
        }
      });
    }
    var seen = {}, terms = [];
    words.forEach(function (w) { if (!seen[w]) { seen[w] = true; terms.push(w); } });
    return {terms: terms, prefix: prefix, phrases: phrases};
  }

  var api = {normalise: normalise, tokens: tokens, queryTokens: queryTokens, setJoins: setJoins,
             parseQuery: parseQuery, decodeNumbers: decodeNumbers};
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  if (typeof document === "undefined") { return; }
  global.chorusSearch = api;

  // ---- loading shards with classic <script> tags ----
  var loaded = {}, waiting = {};
  global.__chorusShard = function (id) {
    loaded[id] = Array.prototype.slice.call(arguments, 1);
    (waiting[id] || []).forEach(function (w) { w.resolve(loaded[id]); });
    delete waiting[id];
  };
  var requested = {};
  var bytesRequested = 0;

  function load(id) {
    if (loaded[id]) { return Promise.resolve(loaded[id]); }
    return new Promise(function (resolve, reject) {
      (waiting[id] = waiting[id] || []).push({resolve: resolve, reject: reject});
      if (requested[id]) { return; }
      requested[id] = true;
      var tag = document.createElement("script");
      tag.src = id + ".js";
      tag.onerror = function () {
        delete requested[id];
        (waiting[id] || []).forEach(function (w) { w.reject(new Error("could not load " + id)); });
        delete waiting[id];
      };
      document.head.appendChild(tag);
    });
  }

  // ---- ranking ----
  var PREFIX_WEIGHT = 0.8, MAX_PREFIX_SHARDS = 3, MAX_EXPANSIONS = 100, PAGE_SIZE = 10;
  var manifest = null, termShards = {}, positionShards = {};

  function termTable(kind, number) {
    var cache = kind === "terms" ? termShards : positionShards;
    if (cache[number]) { return Promise.resolve(cache[number]); }
    return load(kind + "/" + number).then(function (data) {
      var terms = data[0] ? data[0].split(" ") : [], values = data[1] ? data[1].split(",") : [], table = new Map();
      for (var i = 0; i < terms.length; i++) { table.set(terms[i], values[i]); }
      cache[number] = table;
      return table;
    });
  }

  function idf(df) { return Math.log(1 + (manifest.count - df + 0.5) / (df + 0.5)); }

  /* Scores of the docs that contain one query word (or one of its completions). */
  function scoreTerm(term, prefix) {
    var first = shardOf(manifest.terms, term), lastShard = first;
    if (prefix) {
      lastShard = shardOf(manifest.terms, term + "\uffff");
      if (lastShard - first + 1 > MAX_PREFIX_SHARDS) { lastShard = first; prefix = false; }
    }
    var wanted = [];
    for (var s = first; s <= lastShard; s++) { wanted.push(termTable("terms", s)); }
    return Promise.all(wanted).then(function (tables) {
      var expansions = [];
      tables.forEach(function (table) {
        if (!prefix) { if (table.has(term)) { expansions.push([term, table.get(term)]); } return; }
        table.forEach(function (value, key) { if (key.indexOf(term) === 0) { expansions.push([key, value]); } });
      });
      expansions.sort(function (x, y) { return x[0].length - y[0].length || (x[0] < y[0] ? -1 : 1); });
      expansions = expansions.slice(0, MAX_EXPANSIONS);
      var scores = new Map(), k1 = manifest.k1, matched = [];
      expansions.forEach(function (entry) {
        var postings = decodePostings(entry[1], manifest.scale), weight = idf(postings.docs.length);
        if (entry[0] !== term) { weight *= PREFIX_WEIGHT; }
        matched.push(entry[0]);
        for (var i = 0; i < postings.docs.length; i++) {
          var f = postings.freqs[i], score = weight * f * (k1 + 1) / (k1 + f), doc = postings.docs[i];
          if (!(scores.get(doc) >= score)) { scores.set(doc, score); }
        }
      });
      return {scores: scores, matched: matched, term: term};
    });
  }

  function positionsOf(term) {
    return Promise.all([termTable("positions", shardOf(manifest.positions, term)),
                        termTable("terms", shardOf(manifest.terms, term))]).then(function (tables) {
      var posting = tables[1].get(term), places = tables[0].get(term);
      if (posting === undefined || places === undefined) { return new Map(); }
      return decodePositions(places, decodePostings(posting, manifest.scale).docs);
    });
  }

  /* Docs where the words follow each other; a joined term ("metoo") may also span its words. */
  function phraseDocs(words, candidates) {
    return Promise.all(words.map(positionsOf)).then(function (maps) {
      var spans = words.map(function (w) {
        var join = joins.filter(function (j) { return j.joined === w; })[0];
        return join ? [1, join.words.length] : [1];
      });
      var found = new Set();
      candidates.forEach(function (doc) {
        var ends = new Set(maps[0].get(doc) || []);
        for (var i = 1; i < words.length && ends.size; i++) {
          var next = new Set();
          (maps[i].get(doc) || []).forEach(function (place) {
            spans[i].forEach(function (span) { if (ends.has(place - span)) { next.add(place); } });
          });
          ends = next;
        }
        if (ends.size) { found.add(doc); }
      });
      return found;
    });
  }

  function runQuery(query) {
    var groups = query.terms.map(function (t) { return [t, false]; });
    query.phrases.forEach(function (phrase) {
      phrase.forEach(function (t) { if (!groups.some(function (g) { return g[0] === t && !g[1]; })) { groups.push([t, false]); } });
    });
    if (query.prefix) { groups.push([query.prefix, true]); }
    return Promise.all(groups.map(function (g) { return scoreTerm(g[0], g[1]); })).then(function (results) {
      var matched = [];
      results.forEach(function (r) { matched = matched.concat(r.matched); });
      results.sort(function (x, y) { return x.scores.size - y.scores.size; });
      var total = new Map();
      if (results.length) {
        results[0].scores.forEach(function (score, doc) {
          for (var i = 1; i < results.length; i++) {
            var other = results[i].scores.get(doc);
            if (other === undefined) { return; }
            score += other;
          }
          total.set(doc, score);
        });
      }
      var phrases = query.phrases.filter(function (p) { return p.length > 1; });
      var checks = phrases.reduce(function (promise, phrase) {
        return promise.then(function () {
          return phraseDocs(phrase, Array.from(total.keys())).then(function (keep) {
            total.forEach(function (_s, doc) { if (!keep.has(doc)) { total.delete(doc); } });
          });
        });
      }, Promise.resolve());
      return checks.then(function () { return {scores: total, matched: matched}; });
    });
  }

  // ---- facets ----
  var docTags = null;

  function prepareFacets() {
    var kinds = manifest.kinds, count = manifest.count;
    manifest.isTestimony = new Uint8Array(count);
    for (var c = 0; c < kinds.length; c++) {
      var bits = DIGIT[kinds.charCodeAt(c)];
      for (var b = 0; b < 5 && c * 5 + b < count; b++) { manifest.isTestimony[c * 5 + b] = (bits >> b) & 1; }
    }
    manifest.yearOf = new Int32Array(count);
    manifest.years.forEach(function (run) {
      for (var i = run[1]; i < run[1] + run[2]; i++) { manifest.yearOf[i] = run[0]; }
    });
    docTags = new Array(count);
    Object.keys(manifest.tags).sort().forEach(function (tag) {
      decodeGaps(manifest.tags[tag][1]).forEach(function (doc) { (docTags[doc] = docTags[doc] || []).push(tag); });
    });
  }

  function kindOf(doc) { return manifest.isTestimony[doc] ? "testimony" : "article"; }

  function passes(doc, filters, skip) {
    if (skip !== "kind" && filters.kind && kindOf(doc) !== filters.kind) { return false; }
    if (skip !== "year" && filters.year && String(manifest.yearOf[doc]) !== filters.year) { return false; }
    if (skip !== "tag" && filters.tag && (docTags[doc] || []).indexOf(filters.tag) < 0) { return false; }
    return true;
  }

  function facetCounts(docs, filters) {
    var counts = {kind: {}, year: {}, tag: {}};
    docs.forEach(function (doc) {
      if (passes(doc, filters, "kind")) { bump(counts.kind, kindOf(doc)); }
      if (passes(doc, filters, "year")) { bump(counts.year, String(manifest.yearOf[doc])); }
      if (passes(doc, filters, "tag")) { (docTags[doc] || []).forEach(function (t) { bump(counts.tag, t); }); }
    });
    return counts;
  }

  function bump(table, key) { table[key] = (table[key] || 0) + 1; }

  // ---- the page ----
  var root = document.getElementById("search");
  if (!root) { return; }
  root.hidden = false;
  var input = document.getElementById("search-q");
  var selects = {kind: document.getElementById("search-kind"), tag: document.getElementById("search-tag"),
                 year: document.getElementById("search-year")};
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var siteRoot = root.getAttribute("data-root") || "../";
  var linkSuffix = root.getAttribute("data-offline") === "yes" || location.protocol === "file:" ? "index.html" : "";
  var LABELS = {kind: {article: "Articles", testimony: "Testimonies"}};
  var current = {q: null, kind: "", tag: "", year: ""}, sequence = 0, shown = [], highlightTerms = new Set(), timer = null;

  function readUrl() {
    var params = new URLSearchParams(location.search);
    return {q: params.get("q") || "", kind: params.get("kind") || "", tag: params.get("tag") || "", year: params.get("year") || ""};
  }

  function stateUrl(state) {
    var params = new URLSearchParams();
    ["q", "kind", "tag", "year"].forEach(function (key) { if (state[key]) { params.set(key, state[key]); } });
    var text = params.toString();
    return location.pathname + (text ? "?" + text : "");
  }

  function saveUrl(state, push) {
    try {
      if (push) { history.pushState(state, "", stateUrl(state)); } else { history.replaceState(state, "", stateUrl(state)); }
    } catch (err) { /* some browsers refuse history on file://; the search still works */ }
  }

  function formState() {
    return {q: input.value, kind: selects.kind.value, tag: selects.tag.value, year: selects.year.value};
  }

  function showForm(state) {
    input.value = state.q;
    ["kind", "tag", "year"].forEach(function (key) {
      var select = selects[key];
      if (state[key] && !select.querySelector('option[value="' + CSS.escape(state[key]) + '"]')) { addOption(select, state[key]); }
      select.value = state[key];
    });
  }

  function addOption(select, value) {
    var option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    select.appendChild(option);
    return option;
  }

  function buildOptions() {
    Object.keys(LABELS.kind).forEach(function (k) { addOption(selects.kind, k).dataset.label = LABELS.kind[k]; });
    Object.keys(manifest.tags).sort(function (x, y) {
      return manifest.tags[x][0].localeCompare(manifest.tags[y][0]);
    }).forEach(function (t) { addOption(selects.tag, t).dataset.label = manifest.tags[t][0]; });
    var years = Array.from(new Set(manifest.years.map(function (r) { return r[0]; }))).sort(function (x, y) { return y - x; });
    years.forEach(function (y) { addOption(selects.year, String(y)).dataset.label = String(y); });
  }

  function showCounts(counts) {
    ["kind", "tag", "year"].forEach(function (key) {
      Array.prototype.forEach.call(selects[key].options, function (option) {
        if (!option.value) { return; }
        var n = counts[key][option.value] || 0;
        option.textContent = (option.dataset.label || option.value) + " (" + n + ")";
      });
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { update(formState(), "type"); }, 150);
  }

  /* Run a search for state; how = "type" (replace the URL while a word is being typed),
     "change" (a new history entry), "load" or "history" (leave the URL alone). */
  function update(state, how) {
    var previous = current;
    current = state;
    if (how === "type" || how === "change") {
      var sameWord = how === "type" && previous.q !== null && previous.kind === state.kind && previous.tag === state.tag &&
        previous.year === state.year && (state.q.indexOf(previous.q) === 0 || previous.q.indexOf(state.q) === 0);
      var unchanged = stateUrl(state) === location.pathname + location.search;
      if (!unchanged) { saveUrl(state, !sameWord); }
    }
    var mine = ++sequence;
    root.setAttribute("data-state", "busy");
    var query = parseQuery(state.q);
    var hasWords = query.terms.length || query.prefix || query.phrases.length;
    var found = hasWords ? runQuery(query) : Promise.resolve(null);
    return found.then(function (result) {
      if (mine !== sequence) { return; }
      var docs, scores = result ? result.scores : null;
      if (result) { docs = Array.from(scores.keys()); } else { docs = []; for (var i = 0; i < manifest.count; i++) { docs.push(i); } }
      showCounts(facetCounts(docs, state));
      var filtered = hasWords || state.kind || state.tag || state.year;
      var hits = filtered ? docs.filter(function (doc) { return passes(doc, state, null); }) : [];
      if (scores) { hits.sort(function (x, y) { return scores.get(y) - scores.get(x) || x - y; }); }
      highlightTerms = new Set(result ? result.matched : []);
      shown = hits;
      list.textContent = "";
      return showMore(mine).then(function () {
        if (mine !== sequence) { return; }
        status.textContent = describe(state, hits.length, filtered);
        root.setAttribute("data-state", "ready");
        if (global.__chorusFirstResults === undefined && hits.length) { global.__chorusFirstResults = performance.now(); }
      });
    }).catch(function (err) {
      if (mine !== sequence) { return; }
      status.textContent = "Part of the search index could not be loaded (" + err.message + "). Try again, or browse the archive instead.";
      root.setAttribute("data-state", "ready");
    });
  }

  function describe(state, count, filtered) {
    if (!filtered) { return "Type words to search " + manifest.count + " items."; }
    var words = state.q.trim() ? " for “" + state.q.trim() + "”" : "";
    if (!count) { return "No results" + words + ". Try fewer or other words, or remove a filter."; }
    return (count === 1 ? "1 result" : count + " results") + words + ".";
  }

  function showMore(mine) {
    var start = list.children.length, page = shown.slice(start, start + PAGE_SIZE);
    var shards = Array.from(new Set(page.map(function (doc) { return shardOf(manifest.docs, doc); })));
    return Promise.all(shards.map(function (n) { return load("docs/" + n); })).then(function () {
      if (mine !== sequence) { return; }
      page.forEach(function (doc) {
        var n = shardOf(manifest.docs, doc), record = loaded["docs/" + n][0][doc - manifest.docs[n]];
        list.appendChild(card(record));
      });
      more.hidden = list.children.length >= shown.length;
    });
  }

  function card(record) {
    // record: [url, title, kind, date label, ISO date, tags, warnings, excerpt]
    var item = document.createElement("li"), article = document.createElement("article");
    article.className = "card card-" + (record[2] === "t" ? "testimony" : "article");
    var meta = document.createElement("p"), kind = document.createElement("span"), time = document.createElement("time");
    meta.className = "card-meta";
    kind.className = "kind";
    kind.textContent = record[2] === "t" ? "Testimony" : "Article";
    time.setAttribute("datetime", record[4]);
    time.textContent = record[3];
    meta.append(kind, " · ", time);
    var heading = document.createElement("h2"), link = document.createElement("a");
    heading.className = "card-title";
    link.href = siteRoot + record[0] + linkSuffix;
    link.appendChild(highlight(record[1]));
    heading.appendChild(link);
    article.append(meta, heading);
    if (record[6].length) {
      var warning = document.createElement("p"), label = document.createElement("span");
      warning.className = "cw-labels";
      label.className = "cw-title";
      label.textContent = "Content warning:";
      warning.append(label, " " + record[6].join(", "));
      article.appendChild(warning);
    }
    if (record[7]) {
      var excerpt = document.createElement("p");
      excerpt.className = "card-summary";
      excerpt.appendChild(highlight(record[7]));
      article.appendChild(excerpt);
    }
    item.appendChild(article);
    return item;
  }

  /* Text as nodes, with <mark> around words whose normalised form was matched. */
  function highlight(text) {
    var fragment = document.createDocumentFragment(), words = [], match, raw = /[\p{L}\p{N}\p{M}]+/gu;
    while ((match = raw.exec(text)) !== null) {
      words.push({start: match.index, end: match.index + match[0].length, terms: tokens(match[0])});
    }
    var marks = [];
    for (var i = 0; i < words.length; i++) {
      var span = null;
      joins.forEach(function (join) {
        var n = join.words.length;
        if (span || !highlightTerms.has(join.joined) || i + n > words.length) { return; }
        for (var k = 0; k < n; k++) {
          if (words[i + k].terms.join(" ") !== join.words[k]) { return; }
          if (k && !new RegExp("^" + JOIN_SEPARATOR + "$", "u").test(normalise(text.slice(words[i + k - 1].end, words[i + k].start)))) { return; }
        }
        span = [words[i].start, words[i + n - 1].end, n];
      });
      if (span) { marks.push(span); i += span[2] - 1; continue; }
      if (words[i].terms.some(function (t) { return highlightTerms.has(t); })) { marks.push([words[i].start, words[i].end]); }
    }
    var at = 0;
    marks.forEach(function (m) {
      fragment.append(text.slice(at, m[0]));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m[0], m[1]);
      fragment.appendChild(mark);
      at = m[1];
    });
    fragment.append(text.slice(at));
    return fragment;
  }

  input.addEventListener("input", schedule);
  root.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    update(formState(), "change");
  });
  ["kind", "tag", "year"].forEach(function (key) {
    selects[key].addEventListener("change", function () { clearTimeout(timer); update(formState(), "change"); });
  });
  more.addEventListener("click", function () {
    var first = list.children.length;
    showMore(sequence).then(function () {
      var next = list.children[first];
      if (next) { next.querySelector("a").focus(); }
    });
  });
  global.addEventListener("popstate", function () {
    var state = readUrl();
    showForm(state);
    update(state, "history");
  });

  status.textContent = "Loading the search index…";
  load("manifest").then(function (data) {
    manifest = data[0];
    setJoins(manifest.joins);
    prepareFacets();
    buildOptions();
    var state = readUrl();
    showForm(state);
    if (!state.q) { input.focus(); }
    return update(state, "load");
  }).catch(function () {
    status.textContent = "The search index could not be loaded. You can browse the archive by articles, testimonies, tags or the timeline.";
  });
}(typeof window !== "undefined" ? window : globalThis));
