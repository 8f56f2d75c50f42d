/* Chorus search page: reads the index that generator/search/__init__.py writes under search/.
   Only classic <script> tags are used to load it (no fetch, modules or workers), so the
   same files work from a web server and from file://. normalise(), tokens(), queryWords(),
   originalWords() and stemTerm() must give exactly what the Python functions of the same names
   give; tests/test_search.py and tests/test_search_languages.py check. */
(function (global) {
  "use strict";

  // ---- normalising and tokenising (mirrors generator/search/text.py) ----
  var FOLDS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d",
               "ı": "i", "ς": "σ", "_": " "};
  var FOLD_RE = /[ßæœøđłþðıς_]/g;
  var MARKS_RE = /[\p{Mn}\p{Me}]+/gu;
  var TOKEN_RE = /[\p{L}\p{N}\p{Mc}]+/gu;
  var WORD_EDGE = "[\\p{L}\\p{N}\\p{Mc}]";
  var JOIN_SEPARATOR = "[ \\t\\n\\r\\f\\v'\\u2019\\u2010-\\u2013-]+";
  var MAX_TOKEN_LENGTH = 40;
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = new Int8Array(128);
  for (var a = 0; a < ALPHABET.length; a++) { DIGIT[ALPHABET.charCodeAt(a)] = a; }
  var joins = [];
  // Runs of Han, Hiragana and Katakana (Chinese and Japanese) are indexed as their bigrams and
  // their last character: the same ranges as CJK_RANGES in generator/search/text.py.
  var CJK = "\\u2e80-\\u2fdf\\u3005-\\u3007\\u3021-\\u3029\\u3038-\\u303c\\u3041-\\u309f\\u30a0-\\u30ff" +
            "\\u3190-\\u319f\\u31c0-\\u31ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff66-\\uff9f" +
            "\\u{1b000}-\\u{1b16f}\\u{20000}-\\u{3ffff}";
  var CJK_RE = new RegExp("[" + CJK + "]", "u"), CJK_RUN_RE = new RegExp("([" + CJK + "]+)", "u");
  var HANGUL_RE = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;
  var STEM_MARK = "!";

  function normalise(text) {
    text = text.toLowerCase();
    if (/^[\x00-\x7f]*$/.test(text)) { return text.replace(/_/g, " "); }
    // Voiced kana keep their mark (が is not か); Hangul letters are put back into syllables.
    text = text.normalize("NFKD").replace(/[\u3041-\u30ff][\u3099\u309a]/g, function (pair) { return pair.normalize("NFC"); });
    return text.replace(MARKS_RE, "").replace(FOLD_RE, function (c) { return FOLDS[c]; })
      .replace(/[\u1100-\u11ff]+/g, function (run) { return run.normalize("NFC"); });
  }

  function short(word) { return word.length <= MAX_TOKEN_LENGTH || Array.from(word).length <= MAX_TOKEN_LENGTH; }

  /* The parts of a word: [text, true] for a run of Han, Hiragana or Katakana, [text, false] else. */
  function cjkParts(word) {
    var parts = [];
    word.split(CJK_RUN_RE).forEach(function (part, n) { if (part) { parts.push([part, n % 2 === 1]); } });
    return parts;
  }

  function bigrams(run) {
    var chars = Array.from(run), grams = [];
    for (var i = 0; i + 1 < chars.length; i++) { grams.push(chars[i] + chars[i + 1]); }
    return grams;
  }

  function splitTokens(folded) {
    var out = [];
    (folded.match(TOKEN_RE) || []).forEach(function (word) {
      if (!CJK_RE.test(word)) { out.push(word); return; }
      cjkParts(word).forEach(function (part) {
        if (!part[1]) { out.push(part[0]); return; }
        var chars = Array.from(part[0]);
        Array.prototype.push.apply(out, bigrams(part[0]));
        out.push(chars[chars.length - 1]);
      });
    });
    return out.filter(short);
  }

  function tokens(text) { return splitTokens(normalise(text)); }

  /* The words of text as written, lower case (NFC), accents kept: what a stemmer needs. */
  var ORIGINAL_WORD_RE = /[\p{L}\p{N}\p{M}]+/gu, LETTER_RE = /\p{L}/u;  // compiled once: a Unicode class is slow to compile

  function originalWords(text) { return text.toLowerCase().normalize("NFC").match(ORIGINAL_WORD_RE) || []; }

  /* The index term of a word's stem ("harassed" -> "harass!"), or null: stemTerm() in Python. */
  function stemTerm(word, stemmer) {
    if (!LETTER_RE.test(word) || CJK_RE.test(word) || /[\ud800-\udfff]/.test(word) || tokens(word).length !== 1) { return null; }
    var stemmed;
    try { stemmed = stemmer.stemWord(word); } catch (err) { return null; }
    var folded = stemmed ? tokens(stemmed) : [];
    return folded.length === 1 ? folded[0] + STEM_MARK : null;
  }

  function setJoins(list) {
    joins = list.map(function (entry) {
      var words = entry[0];
      return {words: words, joined: entry[1],
              pattern: new RegExp("(?<!" + WORD_EDGE + ")" + words.join(JOIN_SEPARATOR) + "(?!" + WORD_EDGE + ")", "gu")};
    });
  }

  /* The words of a query, each as the terms it is looked up as: a word as itself, a joined
     spelling for its words ("me too" -> ["metoo"]), a run of Chinese or Japanese as its bigrams
     (one character alone as itself). */
  function queryWords(text) {
    var folded = normalise(text), parts = [];
    joins.forEach(function (join) { folded = folded.replace(join.pattern, join.joined); });
    (folded.match(TOKEN_RE) || []).forEach(function (word) {
      if (!CJK_RE.test(word)) { parts.push([word]); return; }
      cjkParts(word).forEach(function (part) {
        var grams = part[1] ? bigrams(part[0]) : [];
        parts.push(grams.length ? grams : [part[0]]);
      });
    });
    return parts.filter(function (part) { return short(part[0]); });
  }

  function queryTokens(text) { return [].concat.apply([], queryWords(text)); }

  // ---- the index format ----
  // Decoding runs over every posting of a query's words (20,000 for a word in every item): typed
  // arrays and no allocation per number keep it to a few milliseconds.
  function decodeNumbers(text) {
    var values = new Float64Array(text.length), count = 0, value = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      value += (digit & 31) * scale;
      if (digit & 32) { scale *= 32; } else { values[count++] = value; value = 0; scale = 1; }
    }
    return values.subarray(0, count);
  }

  function decodeGaps(text) {
    var gaps = decodeNumbers(text), ids = new Int32Array(gaps.length), previous = -1;
    for (var i = 0; i < gaps.length; i++) { previous += gaps[i] + 1; ids[i] = previous; }
    return ids;
  }

  /* Postings of one term: doc ids ascending and their BM25F pseudo-frequencies. */
  function decodePostings(text, scale) {
    var docs = new Int32Array(text.length >> 1), freqs = new Float64Array(text.length >> 1);
    var count = 0, value = 0, unit = 1, isGap = true, previous = -1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charCodeAt(i)];
      value += (digit & 31) * unit;
      if (digit & 32) { unit *= 32; continue; }
      if (isGap) { previous += value + 1; docs[count] = previous; } else { freqs[count++] = value / scale; }
      isGap = !isGap;
      value = 0;
      unit = 1;
    }
    return {docs: docs.subarray(0, count), freqs: freqs.subarray(0, count)};
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

  /* Split a query into free words (the last may be a prefix) and "quoted phrases"; with stemmers
     (algorithm name -> stemmer), each free word's stems in each of them. Also: the words looked up
     as the start of longer terms (Korean words, whose particles are written on them: 검사 finds
     검사가 and 검사는; a single Chinese or Japanese character, the start of its bigrams), and the
     runs of Chinese or Japanese bigrams, ranked higher where they follow each other. */
  function parseQuery(raw, stemmers) {
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
    var groups = queryWords(free.join(" "));
    var words = [].concat.apply([], groups);
    var runs = groups.filter(function (group) { return group.length > 1; });
    var prefix = null;
    var lastWord = groups.length ? groups[groups.length - 1] : null;
    if (lastWord && lastWord.length === 1 && !CJK_RE.test(lastWord[0]) && /[\p{L}\p{N}\p{M}]$/u.test(tail)) {
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
    var starts = terms.filter(function (t) { return HANGUL_RE.test(t) || (CJK_RE.test(t) && Array.from(t).length === 1); });
    // Stems from the words as typed (a stemmer needs their accents), by the term each folds to.
    var stems = {}, originals = originalWords(free.join(" "));
    Object.keys(stemmers || {}).sort().forEach(function (name) {
      originals.forEach(function (word) {
        var folded = tokens(word);
        if (folded.length !== 1 || HANGUL_RE.test(word)) { return; }
        var stem = stemTerm(word, stemmers[name]);
        if (!stem) { return; }
        var list = stems[folded[0]] = stems[folded[0]] || [];
        if (list.indexOf(stem) < 0) { list.push(stem); }
      });
    });
    return {terms: terms, prefix: prefix, phrases: phrases, starts: starts, runs: runs, stems: stems};
  }

  // ---- typo suggestions (skeleton() mirrors generator/search/spelling.py) ----
  var VOWELS = "aeiouy";

  /* A term without its vowels after the first letter, runs of one letter made one: "weinstien" and
     "weinstein" are both "wnstn", "harrassment" and "harassment" both "hrsmnt". */
  function skeleton(term) {
    var letters = Array.from(term), out = [];
    for (var i = 0; i < letters.length; i++) {
      var c = letters[i];
      if (i > 0 && VOWELS.indexOf(c) >= 0) { continue; }
      if (out.length && out[out.length - 1] === c) { continue; }
      out.push(c);
    }
    return out.join("");
  }

  /* Edits (insert, delete, substitute, swap two neighbours) from a to b, or max + 1 if more. */
  function editDistance(a, b, max) {
    a = Array.from(a);
    b = Array.from(b);
    if (Math.abs(a.length - b.length) > max) { return max + 1; }
    var before = null, previous = [], row;
    for (var j = 0; j <= b.length; j++) { previous.push(j); }
    for (var i = 1; i <= a.length; i++) {
      row = [i];
      var smallest = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
        if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, before[j - 2] + 1);
        }
        row.push(value);
        if (value < smallest) { smallest = value; }
      }
      if (smallest > max) { return max + 1; }
      before = previous;
      previous = row;
    }
    return Math.min(previous[b.length], max + 1);
  }

  /* How many edits a word of this length may be from a suggestion. */
  function allowedEdits(word) {
    var length = Array.from(word).length;
    return length >= 7 ? 2 : length >= 4 ? 1 : 0;
  }

  /* The best of candidates ([term, popularity] pairs) for a word without matches, or null:
     fewest edits, then the most used term, then the one sharing the longest start with it. */
  function nearestTerm(word, candidates) {
    var max = allowedEdits(word), best = null;
    if (!max) { return null; }
    candidates.forEach(function (candidate) {
      var term = candidate[0];
      if (term === word || /^[0-9]+$/.test(term)) { return; }
      var edits = editDistance(word, term, max);
      if (edits > max) { return; }
      var shared = 0;
      while (shared < word.length && word[shared] === term[shared]) { shared++; }
      var rank = [edits, -candidate[1], -shared, term];
      if (!best || compareRanks(rank, best.rank) < 0) { best = {term: term, rank: rank}; }
    });
    return best ? best.term : null;
  }

  function compareRanks(x, y) {
    for (var i = 0; i < x.length; i++) {
      if (x[i] < y[i]) { return -1; }
      if (x[i] > y[i]) { return 1; }
    }
    return 0;
  }

  /* The popularity the index stores for a term: the bit length of its postings' length. */
  function popularity(postingsLength) { return 32 - Math.clz32(postingsLength); }

  // ---- excerpts ----
  var WORD_RE = /[\p{L}\p{N}\p{M}]+/gu;
  var EXCERPT_BEFORE = 8, EXCERPT_WORDS = 32;

  /* The words of text with, for each, where it is and its terms; and the runs of words to mark:
     words whose term is in terms (or, with a stemmer, whose stem is), and joined spellings ("me
     too") whose joined term is. In Chinese or Japanese each character is a word of its own, whose
     term is the bigram it starts: a matched bigram marks both its characters. */
  function findMarks(text, terms, stemmer) {
    var words = [], match, marks = [], stems = false;
    terms.forEach(function (t) { if (t.slice(-STEM_MARK.length) === STEM_MARK) { stems = true; } });
    stemmer = stems ? stemmer : null;
    // In ASCII text a word is a run of letters and digits, and its term is its lower case.
    var ascii = /^[\x00-\x7f]*$/.test(text), raw = ascii ? /[A-Za-z0-9]+/g : WORD_RE;
    raw.lastIndex = 0;
    var lower = ascii ? text.toLowerCase() : null;
    while ((match = raw.exec(text)) !== null) {
      var end = match.index + match[0].length;
      if (ascii) {
        var term = lower.slice(match.index, end);
        words.push({start: match.index, end: end, terms: [term], stem: stemmer ? cachedStem(term, stemmer) : null});
      } else if (CJK_RE.test(match[0])) {
        cjkUnits(match[0], match.index, words);
      } else {
        words.push({start: match.index, end: end, terms: tokens(match[0]),
                    stem: stemmer ? cachedStem(match[0].toLowerCase().normalize("NFC"), stemmer) : null});
      }
    }
    if (!terms.size) { return {words: words, marks: marks}; }
    var separator = new RegExp("^" + JOIN_SEPARATOR + "$", "u");
    for (var i = 0; i < words.length; i++) {
      var span = null;
      for (var n = 0; n < joins.length && !span; n++) {
        var join = joins[n], count = join.words.length, fits = terms.has(join.joined) && i + count <= words.length;
        for (var k = 0; fits && k < count; k++) {
          if (words[i + k].terms.join(" ") !== join.words[k]) { fits = false; }
          else if (k && !separator.test(normalise(text.slice(words[i + k - 1].end, words[i + k].start)))) { fits = false; }
        }
        if (fits) { span = {first: i, last: i + count - 1, term: join.joined}; }
      }
      if (!span && words[i].run !== undefined) {
        var last = i;
        // Overlapping bigrams (受害, 害者) make one mark (受害者).
        while (words[last].pair && terms.has(words[last].terms[0]) && words[last + 1].run === words[i].run) { last++; }
        if (last > i || terms.has(words[i].terms[0])) { span = {first: i, last: last, term: words[i].terms[0]}; }
      } else if (!span) {
        var found = words[i].terms.filter(function (t) { return terms.has(t); });
        if (!found.length && words[i].stem && terms.has(words[i].stem)) { found = [words[i].stem]; }
        if (found.length) { span = {first: i, last: i, term: found[0]}; }
      }
      if (span) {
        marks.push({start: words[span.first].start, end: words[span.last].end, first: span.first, last: span.last, term: span.term});
        i = span.last;
      }
    }
    return {words: words, marks: marks};
  }

  var runCount = 0;

  /* stemTerm(word, stemmer), once per word and stemmer: results hold the same words again and again. */
  function cachedStem(word, stemmer) {
    var cache = stemmer.cache || (stemmer.cache = new Map());
    if (!cache.has(word)) { cache.set(word, stemTerm(word, stemmer)); }
    return cache.get(word);
  }

  /* The words of a word of text that holds Chinese or Japanese (at offset in text): each character
     of a run its own word, whose term is the bigram it starts (the last character's, itself). */
  function cjkUnits(word, offset, words) {
    var at = offset;
    word.split(CJK_RUN_RE).forEach(function (part, n) {
      if (!part) { return; }
      var folded = Array.from(normalise(part)), chars = Array.from(part), run = ++runCount;
      if (n % 2 === 0 || folded.length !== chars.length) {  // other letters, or a run NFKD changed the length of
        words.push({start: at, end: at + part.length, terms: tokens(part), stem: null});
      } else {
        chars.forEach(function (char, k) {
          var pair = k + 1 < chars.length;
          words.push({start: at, end: at + char.length, terms: [pair ? folded[k] + folded[k + 1] : folded[k]], pair: pair, run: run});
          at += char.length;
        });
        return;
      }
      at += part.length;
    });
  }

  /* Where to cut an excerpt of text around its marks: the window of EXCERPT_WORDS words (starting
     EXCERPT_BEFORE words before a mark) that holds the most different matched terms, earliest first.
     Gives where it starts and ends in text and whether the text goes on before and after it, or null. */
  function excerptWindow(found, textEndsCut) {
    var words = found.words, marks = found.marks;
    if (!marks.length) { return null; }
    var best = null, count = Math.min(marks.length, 200);
    for (var m = 0; m < count; m++) {
      var first = Math.max(0, marks[m].first - EXCERPT_BEFORE), last = Math.min(words.length, first + EXCERPT_WORDS) - 1;
      first = Math.max(0, Math.min(first, last - EXCERPT_WORDS + 1));  // near the end: more words before
      var seen = new Set();
      for (var k = 0; k < count && marks[k].first <= last; k++) {
        if (marks[k].first >= first && marks[k].last <= last) { seen.add(marks[k].term); }
      }
      if (!best || seen.size > best.terms) { best = {terms: seen.size, first: first, last: last}; }
    }
    return {from: words[best.first].start, to: words[best.last].end, before: best.first > 0,
            after: best.last < words.length - 1 || textEndsCut};
  }

  var api = {normalise: normalise, tokens: tokens, queryTokens: queryTokens, queryWords: queryWords, setJoins: setJoins,
             parseQuery: parseQuery, decodeNumbers: decodeNumbers, skeleton: skeleton, editDistance: editDistance,
             nearestTerm: nearestTerm, findMarks: findMarks, excerptWindow: excerptWindow, originalWords: originalWords,
             stemTerm: stemTerm};
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
      table.sortedTerms = terms;  // as the index sorts them, which is how JavaScript compares strings
      table.sortedValues = values;
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
        var terms = table.sortedTerms, low = 0, high = terms.length;
        while (low < high) { var mid = (low + high) >> 1; if (terms[mid] < term) { low = mid + 1; } else { high = mid; } }
        for (var i = low; i < terms.length && terms[i].lastIndexOf(term, 0) === 0; i++) {
          if (terms[i].slice(-STEM_MARK.length) !== STEM_MARK) { expansions.push([terms[i], table.sortedValues[i]]); }
        }
      });
      expansions.sort(function (x, y) { return x[0].length - y[0].length || (x[0] < y[0] ? -1 : 1); });
      expansions = expansions.slice(0, MAX_EXPANSIONS);
      // Scores by doc id (0: not found), and the ids found, ascending.
      var scores = new Float64Array(manifest.count), k1 = manifest.k1, matched = [], docs = null;
      expansions.forEach(function (entry) {
        var postings = decodePostings(entry[1], manifest.scale), weight = idf(postings.docs.length);
        if (entry[0] !== term) { weight *= PREFIX_WEIGHT; }
        matched.push(entry[0]);
        for (var i = 0; i < postings.docs.length; i++) {
          var f = postings.freqs[i], score = weight * f * (k1 + 1) / (k1 + f), doc = postings.docs[i];
          if (score > scores[doc]) { scores[doc] = score; }
        }
        if (expansions.length === 1) { docs = postings.docs; }
      });
      if (!docs) {
        var found = [];
        for (var doc = 0; doc < scores.length; doc++) { if (scores[doc] > 0) { found.push(doc); } }
        docs = Int32Array.from(found);
      }
      return {scores: scores, docs: docs, matched: matched, term: term};
    });
  }

  /* Scores of the docs that contain one query word: its own term's (or its completions'), plus
     STEM_WEIGHT times the best of its stems' (each looked up as a stem, "harass!", and as a word,
     "harass": a word that is its own stem is indexed only as itself). An item with the word as
     typed also holds its stem, so it ranks above an item with only another form of the word. */
  var STEM_WEIGHT = 0.6;

  function scoreWord(term, prefix, stems) {
    var others = [];
    (stems || []).forEach(function (stem) {
      [stem, stem.slice(0, -STEM_MARK.length)].forEach(function (t) { if (t !== term && others.indexOf(t) < 0) { others.push(t); } });
    });
    var lookups = [scoreTerm(term, prefix)].concat(others.map(function (t) { return scoreTerm(t, false); }));
    return Promise.all(lookups).then(function (results) {
      var own = results[0];
      if (results.length === 1) { return own; }
      var scores = Float64Array.from(own.scores), best = new Float64Array(manifest.count), matched = own.matched.slice();
      results.slice(1).forEach(function (r) {
        matched = matched.concat(r.matched);
        for (var i = 0; i < r.docs.length; i++) { var doc = r.docs[i]; if (r.scores[doc] > best[doc]) { best[doc] = r.scores[doc]; } }
      });
      var docs = [];
      for (var doc = 0; doc < scores.length; doc++) {
        scores[doc] += STEM_WEIGHT * best[doc];
        if (scores[doc] > 0) { docs.push(doc); }
      }
      return {scores: scores, docs: Int32Array.from(docs), matched: matched, term: term};
    });
  }

  // A query's terms' positions, decoded once per query (a run of bigrams and a phrase may share them).
  var positionsCache = new Map();

  function positionsOf(term) {
    if (!positionsCache.has(term)) { positionsCache.set(term, decodedPositions(term)); }
    return positionsCache.get(term);
  }

  function decodedPositions(term) {
    return load("phrases").then(function (data) {
      return Promise.all([termTable("positions", shardOf(data[0], term)), termTable("terms", shardOf(manifest.terms, term))]);
    }).then(function (tables) {
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
    positionsCache = new Map();
    var groups = query.terms.map(function (t) { return [t, query.starts.indexOf(t) >= 0]; });
    query.phrases.forEach(function (phrase) {
      phrase.forEach(function (t) { if (!groups.some(function (g) { return g[0] === t && !g[1]; })) { groups.push([t, false]); } });
    });
    if (query.prefix) { groups.push([query.prefix, true]); }
    // Where a run's bigrams follow each other: asked for now, beside the terms.
    query.runs.forEach(function (run) { run.forEach(positionsOf); });
    return Promise.all(groups.map(function (g) { return scoreWord(g[0], g[1], query.stems[g[0]]); })).then(function (results) {
      var matched = [], unmatched = [];
      results.forEach(function (r) {
        matched = matched.concat(r.matched);
        if (!r.matched.length) { unmatched.push(r.term); }
      });
      // Every word must match: walk the shortest list of docs, adding up the others' scores.
      results.sort(function (x, y) { return x.docs.length - y.docs.length; });
      var total = new Float64Array(manifest.count), docs = [];
      var shortest = results.length ? results[0].docs : [];
      for (var k = 0; k < shortest.length; k++) {
        var doc = shortest[k], score = results[0].scores[doc];
        for (var i = 1; i < results.length && score > 0; i++) {
          var other = results[i].scores[doc];
          score = other > 0 ? score + other : 0;
        }
        if (score > 0) { total[doc] = score; docs.push(doc); }
      }
      var phrases = query.phrases.filter(function (p) { return p.length > 1; });
      var checks = phrases.reduce(function (promise, phrase) {
        return promise.then(function () {
          return phraseDocs(phrase, docs).then(function (keep) {
            docs = docs.filter(function (doc) { return keep.has(doc); });
          });
        });
      }, Promise.resolve());
      // Chinese or Japanese typed as one run: the items where its bigrams follow each other (the
      // word itself, not its characters apart) come first, each run adding the best score so far.
      checks = query.runs.reduce(function (promise, run) {
        return promise.then(function () {
          var top = 0;
          docs.forEach(function (doc) { if (total[doc] > top) { top = total[doc]; } });
          return phraseDocs(run, docs).then(function (together) { together.forEach(function (doc) { total[doc] += top; }); });
        });
      }, checks);
      return checks.then(function () { return {scores: total, docs: docs, matched: matched, unmatched: unmatched}; });
    });
  }

  /* Suggestions for words without matches: word -> nearest indexed term, from the spelling shard of
     the word's skeleton and the terms shard the word was looked up in (its neighbours in order). */
  function suggestions(words) {
    return Promise.all(words.map(function (word) {
      if (!allowedEdits(word) || !manifest.spell.length) { return Promise.resolve(null); }
      var shard = shardOf(manifest.terms, word);
      return Promise.all([load("spell/" + shardOf(manifest.spell, skeleton(word))), termTable("terms", shard)]).then(function (data) {
        var candidates = [];
        (data[0][0] ? data[0][0].split(",") : []).forEach(function (entry) {
          var dot = entry.lastIndexOf(".");
          candidates.push([entry.slice(0, dot), DIGIT[entry.charCodeAt(dot + 1)]]);
        });
        data[1].forEach(function (postings, term) {
          if (term.slice(-STEM_MARK.length) !== STEM_MARK) { candidates.push([term, popularity(postings.length)]); }
        });
        return nearestTerm(word, candidates);
      });
    })).then(function (found) {
      var map = new Map();
      words.forEach(function (word, i) { if (found[i]) { map.set(word, found[i]); } });
      return map;
    });
  }

  /* The raw query with each word that normalises to a key of replacements replaced. */
  function replaceWords(raw, replacements) {
    return raw.replace(new RegExp(WORD_RE.source, "gu"), function (word) {
      var folded = tokens(word).join(" ");
      return replacements.has(folded) ? replacements.get(folded) : word;
    });
  }

  // ---- facets (facets.js): kind, year, tags and warnings of every item ----
  // A tag's or warning's items are decoded when first needed (to filter, hide or count), so the
  // first results do not wait for every tag's list.
  var facets = null, KIND = 1, YEAR = 2, TAG = 3, LANG = 4;

  function prepareFacets(data) {
    var count = manifest.count;
    facets = {data: data, isTestimony: new Uint8Array(count), yearOf: new Int32Array(count), lists: {}, masks: {},
              tagIds: data.tags.map(function (t) { return t[0]; }), tagLabels: data.tags.map(function (t) { return t[1]; }),
              warningIds: data.warnings.map(function (w) { return w[0]; }),
              languages: data.languages.map(function (l) { return l[0]; }), languageOf: new Int16Array(count),
              languageNames: {}};
    // languages: [code, name in the site's language, name in its own, "rtl" or "", item ids]; the
    // language of most items lists none: it is every item's that the others do not list.
    data.languages.forEach(function (language, index) {
      facets.languageNames[language[0]] = language[1];
      if (language[4] === null) { facets.languageOf.fill(index); }
    });
    data.languages.forEach(function (language, index) {
      var ids = language[4] === null ? [] : decodeGaps(language[4]);
      for (var i = 0; i < ids.length; i++) { facets.languageOf[ids[i]] = index; }
    });
    for (var c = 0; c < data.kinds.length; c++) {
      var bits = DIGIT[data.kinds.charCodeAt(c)];
      for (var b = 0; b < 5 && c * 5 + b < count; b++) { facets.isTestimony[c * 5 + b] = (bits >> b) & 1; }
    }
    var years = new Set();
    data.years.forEach(function (run) {
      years.add(run[0]);
      for (var i = run[1]; i < run[1] + run[2]; i++) { facets.yearOf[i] = run[0]; }
    });
    facets.years = Array.from(years).sort(function (x, y) { return y - x; });
  }

  /* Which items have which tag (tags.js), loaded to filter or count by tag: at once after the
     first results when the file is small, else when the reader turns to the tag filter. */
  var tagsReady = null;

  function loadTags() {
    if (!tagsReady) {
      tagsReady = Promise.all([load("tags"), facetsReady]).then(function (data) { facets.tagMembers = data[0][0]; });
      tagsReady.catch(function () { tagsReady = null; });
    }
    return tagsReady;
  }

  var SMALL_TAGS_FILE = 24000;

  /* The items of tag or warning number index (kind "tags" or "warnings"), ascending. */
  function members(kind, index) {
    var key = kind + index;
    if (!facets.lists[key]) { facets.lists[key] = decodeGaps(kind === "tags" ? facets.tagMembers[index] : facets.data.warnings[index][2]); }
    return facets.lists[key];
  }

  function maskOf(kind, index) {
    var key = kind + index;
    if (!facets.masks[key]) {
      var mask = new Uint8Array(manifest.count), ids = members(kind, index);
      for (var i = 0; i < ids.length; i++) { mask[ids[i]] = 1; }
      facets.masks[key] = mask;
    }
    return facets.masks[key];
  }

  /* The filters of a state as numbers: -1 for none, -2 for a value no item has; and a mask of the
     items hidden by their warnings, or null. */
  function compileFilters(state) {
    var tag = state.tag ? facets.tagIds.indexOf(state.tag) : -1, hidden = null;
    var language = state.lang ? facets.languages.indexOf(state.lang) : -1;
    state.hide.forEach(function (id) {
      var index = facets.warningIds.indexOf(id);
      if (index < 0) { return; }
      hidden = hidden || new Uint8Array(manifest.count);
      var ids = members("warnings", index);
      for (var i = 0; i < ids.length; i++) { hidden[ids[i]] = 1; }
    });
    var filters = {kind: state.kind === "article" ? 0 : state.kind === "testimony" ? 1 : state.kind ? -2 : -1,
                   year: state.year ? (/^[0-9]+$/.test(state.year) ? Number(state.year) : -2) : -1,
                   tag: state.tag && tag < 0 ? -2 : tag, lang: state.lang && language < 0 ? -2 : language, hidden: hidden};
    filters.tagMask = filters.tag >= 0 ? maskOf("tags", filters.tag) : null;
    filters.narrows = filters.kind !== -1 || filters.year !== -1 || filters.tag !== -1 || filters.lang !== -1;
    return filters;
  }

  /* Whether doc passes the filters, leaving out the one named by skip (a facet's own counts). */
  function passes(doc, filters, skip) {
    if (skip !== KIND && filters.kind !== -1 && facets.isTestimony[doc] !== filters.kind) { return false; }
    if (skip !== YEAR && filters.year !== -1 && facets.yearOf[doc] !== filters.year) { return false; }
    if (skip !== TAG && filters.tag !== -1 && !(filters.tagMask && filters.tagMask[doc])) { return false; }
    if (skip !== LANG && filters.lang !== -1 && facets.languageOf[doc] !== filters.lang) { return false; }
    return true;
  }

  /* Counts for the filters' options among docs: each facet's counts take the other filters into account. */
  function facetCounts(docs, filters) {
    var kinds = [0, 0], years = {}, tags = {}, languages = {}, inDocs = new Uint8Array(manifest.count);
    for (var k = 0; k < docs.length; k++) {
      var doc = docs[k];
      inDocs[doc] = 1;
      if (passes(doc, filters, KIND)) { kinds[facets.isTestimony[doc]]++; }
      if (passes(doc, filters, YEAR)) { years[facets.yearOf[doc]] = (years[facets.yearOf[doc]] || 0) + 1; }
      if (passes(doc, filters, LANG)) {
        var code = facets.languages[facets.languageOf[doc]];
        languages[code] = (languages[code] || 0) + 1;
      }
    }
    if (facets.tagMembers) {
      facets.tagIds.forEach(function (id, index) {
        var ids = members("tags", index), n = 0;
        for (var i = 0; i < ids.length; i++) { if (inDocs[ids[i]] && passes(ids[i], filters, TAG)) { n++; } }
        tags[id] = n;
      });
    } else {
      tags = null;  // not loaded yet: the options show no counts
    }
    return {kind: {article: kinds[0], testimony: kinds[1]}, year: years, tag: tags, lang: languages};
  }

  // ---- the reader's hidden warnings, shared with the rest of the site ----
  // A JSON array of warning ids under "chorus-hide", in sessionStorage unless the reader chose to be
  // remembered on this device (localStorage "chorus-remember" is "1"). Storage can throw (file://,
  // private modes): then nothing is remembered. Written only when the reader changes the choice.
  var HIDE_KEY = "chorus-hide";

  function preferenceStore() {
    try {
      return global.localStorage.getItem("chorus-remember") === "1" ? global.localStorage : global.sessionStorage;
    } catch (err) {
      try { return global.sessionStorage; } catch (again) { return null; }
    }
  }

  function storedHide() {
    try {
      var store = preferenceStore(), value = store ? JSON.parse(store.getItem(HIDE_KEY) || "[]") : [];
      return Array.isArray(value) ? value.filter(function (w) { return typeof w === "string"; }) : [];
    } catch (err) {
      return [];
    }
  }

  function storeHide(list) {
    try {
      var store = preferenceStore();
      // As chorus.js does: an empty choice leaves nothing behind in this tab's storage.
      if (!store) { return; }
      if (list.length || store === global.localStorage) {
        store.setItem(HIDE_KEY, JSON.stringify(list));
      } else {
        store.removeItem(HIDE_KEY);
      }
    } catch (err) { /* not remembered; the URL still holds the choice */ }
  }

  function union(list, more) {
    return Array.from(new Set(list.concat(more))).sort();
  }

  // ---- the page ----
  var root = document.getElementById("search");
  if (!root) { return; }
  root.hidden = false;
  var form = root.querySelector("form");
  var input = document.getElementById("search-q");
  var selects = {kind: document.getElementById("search-kind"), tag: document.getElementById("search-tag"),
                 year: document.getElementById("search-year"), lang: document.getElementById("search-lang")};
  var hideBoxes = Array.prototype.slice.call(root.querySelectorAll("input[name=hide]"));
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var siteRoot = root.getAttribute("data-root") || "../";
  var linkSuffix = root.getAttribute("data-offline") === "yes" || location.protocol === "file:" ? "index.html" : "";
  var foldWarnings = root.getAttribute("data-fold-warnings") !== "no";
  // The page's words, in the site's language (search.html): {name} marks what is filled in.
  var WORDS = {loading: "Loading the search index…", typeWords: "Type words to search {count} items.",
               oneResultFor: "1 result for “{words}”.", resultsFor: "{count} results for “{words}”.",
               oneResult: "1 result.", results: "{count} results.", noResultsFor: "No results for “{words}”.",
               noResults: "No results.", oneHidden: "1 item is hidden because of the warnings you chose to hide.",
               hidden: "{count} items are hidden because of the warnings you chose to hide.",
               didYouMean: "Did you mean {suggestion}?", tryOther: "Try fewer or other words, or remove a filter.",
               partFailed: "Part of the search index could not be loaded ({error}). Try again, or browse the archive instead.",
               failed: "The search index could not be loaded. You can browse the archive by articles, testimonies, tags or the timeline.",
               articles: "Articles", testimonies: "Testimonies", article: "Article", testimony: "Testimony",
               contentWarning: "Content warning:", showExcerpt: "Show excerpt", hideExcerpt: "Hide excerpt"};
  try { Object.assign(WORDS, JSON.parse(root.getAttribute("data-words") || "{}")); } catch (err) { /* the English words */ }

  /* A word of the page with its {names} filled in. */
  function say(key, values) {
    return WORDS[key].replace(/\{(\w+)\}/g, function (whole, name) { return values && name in values ? String(values[name]) : whole; });
  }

  var LABELS = {kind: {article: WORDS.articles, testimony: WORDS.testimonies}};
  var FILTERS = ["kind", "tag", "year", "lang"];
  // current: what is shown; committed: what the current history entry stood for when it was made
  // (typing replaces the entry's address as it goes; a submitted search puts that back, then adds one).
  var current = null, committed = null, sequence = 0, highlightTerms = new Set(), timer = null;

  function readUrl() {
    var params = new URLSearchParams(location.search);
    return {q: params.get("q") || "", kind: params.get("kind") || "", tag: params.get("tag") || "",
            year: params.get("year") || "", lang: params.get("lang") || "", hide: union(params.getAll("hide").filter(Boolean), [])};
  }

  function stateUrl(state) {
    var params = new URLSearchParams();
    ["q"].concat(FILTERS).forEach(function (key) { if (state[key]) { params.set(key, state[key]); } });
    state.hide.forEach(function (w) { params.append("hide", w); });
    var text = params.toString();
    return location.pathname + (text ? "?" + text : "");
  }

  function saveUrl(state, push) {
    try {
      if (push) { history.pushState(null, "", stateUrl(state)); } else { history.replaceState(null, "", stateUrl(state)); }
    } catch (err) { /* some browsers refuse history on file://; the search still works */ }
  }

  function formState() {
    var state = {q: input.value, hide: hideBoxes.filter(function (box) { return box.checked; }).map(function (box) { return box.value; })};
    FILTERS.forEach(function (key) { state[key] = selects[key].value; });
    // Warnings hidden by the address or the preference that this page offers no box for stay hidden.
    var offered = hideBoxes.map(function (box) { return box.value; });
    state.hide = union(state.hide, (current ? current.hide : []).filter(function (w) { return offered.indexOf(w) < 0; }));
    return state;
  }

  /* Show the filters and hidden warnings of state in the form (its words go in the box apart). */
  function showFilters(state) {
    // A choice of one is no choice: the language filter shows when the archive has two or more.
    Array.prototype.forEach.call(root.querySelectorAll("[data-search-languages]"), function (part) {
      part.hidden = facets.data.languages.length < 2 && !state.lang;
    });
    FILTERS.forEach(function (key) {
      var select = selects[key];
      if (state[key] && !select.querySelector('option[value="' + CSS.escape(state[key]) + '"]')) { addOption(select, state[key]); }
      select.value = state[key];
    });
    hideBoxes.forEach(function (box) { box.checked = state.hide.indexOf(box.value) >= 0; });
  }

  function addOption(select, value, label) {
    var option = document.createElement("option");
    option.value = value;
    option.textContent = label || value;
    if (label) { option.dataset.label = label; }
    select.appendChild(option);
    return option;
  }

  function buildOptions() {
    Object.keys(LABELS.kind).forEach(function (k) { addOption(selects.kind, k, LABELS.kind[k]); });
    facets.tagIds.forEach(function (t, index) { addOption(selects.tag, t, facets.tagLabels[index]); });
    facets.years.forEach(function (y) { addOption(selects.year, String(y), String(y)); });
    // Each language by its name in the site's language, then in its own ("Korean · 한국어").
    facets.data.languages.forEach(function (language) {
      addOption(selects.lang, language[0], language[1] === language[2] ? language[1] : language[1] + " · " + language[2]);
    });
  }

  function showCounts(counts) {
    FILTERS.forEach(function (key) {
      Array.prototype.forEach.call(selects[key].options, function (option) {
        if (!option.value) { return; }
        var label = option.dataset.label || option.value;
        option.textContent = counts[key] ? label + " (" + (counts[key][option.value] || 0) + ")" : label;
      });
    });
  }

  // The counts of the results shown, for the tag counts to be added when tags.js comes in.
  var counted = null;

  function count(visible, filters) {
    counted = {visible: visible, filters: filters};
    showCounts(facetCounts(visible, filters));
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { update(formState(), "type"); }, 150);
  }

  /* Run a search for state; how = "type" (typing: replace the address), "submit" (a submitted search
     or a filter: a new history entry), "hide" (the hidden warnings: replace the address and remember
     the choice), "load" or "history" (leave the address alone). */
  function update(state, how) {
    if (!manifest) { return Promise.resolve(); }  // the first search starts when the manifest is in
    current = state;
    var address = stateUrl(state), here = location.pathname + location.search;
    if (how === "type" || how === "hide") {
      if (address !== here) { saveUrl(state, false); }
      if (how === "hide") { committed = Object.assign({}, committed, {hide: state.hide}); }
    } else if (how === "submit") {
      if (address !== stateUrl(committed)) {
        if (here !== stateUrl(committed)) { saveUrl(committed, false); }
        saveUrl(state, true);
        committed = state;
      } else if (address !== here) {
        saveUrl(state, false);
      }
    }
    var mine = ++sequence;
    root.setAttribute("data-state", "busy");
    var query = parseQuery(state.q);
    var hasWords = query.terms.length || query.prefix || query.phrases.length;
    // The query's shards (a completed word's all of them) load while the facets and the stemmers do:
    // a word's stems are most often in its own shard.
    query.terms.concat(query.prefix ? [query.prefix] : []).forEach(function (term) {
      var first = shardOf(manifest.terms, term), last = first;
      if (term === query.prefix || query.starts.indexOf(term) >= 0) {
        last = shardOf(manifest.terms, term + "\uffff");
        if (last - first + 1 > MAX_PREFIX_SHARDS) { last = first; }
      }
      for (var s = first; s <= last; s++) { termTable("terms", s).catch(function () { /* reported by the search */ }); }
    });
    var found = hasWords ? stemmersFor(state, state.q).then(function (chosen) { return runQuery(parseQuery(state.q, chosen)); }) :
      Promise.resolve(null);
    return Promise.all([found, facetsReady, state.tag ? loadTags() : null]).then(function (done) {
      var result = done[0];
      if (mine !== sequence) { return; }
      var docs = result ? result.docs : null, filters = compileFilters(state);
      if (!docs) { docs = []; for (var i = 0; i < manifest.count; i++) { docs.push(i); } }
      // Hidden items leave the results and every count.
      var visible = filters.hidden ? docs.filter(function (doc) { return !filters.hidden[doc]; }) : docs;
      var filtered = hasWords || state.kind || state.tag || state.year || state.lang;
      var hits = !filtered ? [] : filters.narrows ? visible.filter(function (doc) { return passes(doc, filters, 0); }) : visible;
      var hiddenCount = filtered && filters.hidden ?
        docs.filter(function (doc) { return filters.hidden[doc] && passes(doc, filters, 0); }).length : 0;
      highlightTerms = new Set(result ? result.matched : []);
      rank(hits, result ? result.scores : null);
      var fixes = result && !hits.length && !hiddenCount && result.unmatched.length ? suggestions(result.unmatched) : Promise.resolve(null);
      return Promise.all([showMore(mine, true), fixes]).then(function (shownAndFixes) {
        if (mine !== sequence) { return; }
        if (global.__chorusFirstResults === undefined && hits.length) { global.__chorusFirstResults = performance.now(); }
        // The results go on screen first; the counts and the status line follow a moment later.
        return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(function () {
          var small = facets.data.tagsBytes <= SMALL_TAGS_FILE;
          return small ? loadTags().catch(function () { return null; }) : null;
        }).then(function () {
          if (mine !== sequence) { return; }
          count(visible, filters);
          describe(state, hits.length, filtered, hiddenCount, shownAndFixes[1]);
          root.setAttribute("data-state", "ready");
        });
      });
    }).catch(function (err) {
      if (mine !== sequence) { return; }
      status.textContent = say("partFailed", {error: err.message});
      root.setAttribute("data-state", "ready");
    });
  }

  // The results in order: ranked by score (ties: newest first), or newest first without words.
  // The first page is picked without sorting them all; "More results" sorts the rest.
  var shown = [], shownScores = null, sorted = true;

  function rank(hits, scores) {
    shown = hits;
    shownScores = scores;
    sorted = !scores;
  }

  function byScore(x, y) { return shownScores[y] - shownScores[x] || x - y; }

  function rankedSlice(start, end) {
    if (!sorted && start === 0 && end < shown.length / 4) {
      var top = [];
      for (var i = 0; i < shown.length; i++) {
        var doc = shown[i];
        if (top.length === end && byScore(doc, top[end - 1]) >= 0) { continue; }
        var at = top.length;
        while (at > 0 && byScore(doc, top[at - 1]) < 0) { at--; }
        top.splice(at, 0, doc);
        if (top.length > end) { top.pop(); }
      }
      return top;
    }
    if (!sorted) {
      shown = Array.from(shown).sort(byScore);
      sorted = true;
    }
    return shown.slice(start, end);
  }

  function describe(state, count, filtered, hiddenCount, fixes) {
    status.textContent = "";
    if (!filtered) { status.textContent = say("typeWords", {count: manifest.count}); return; }
    var words = state.q.trim(), values = {count: count, words: words};
    // Worded as the lists' line (chorus.js) is.
    var hidden = !hiddenCount ? "" : " " + say(hiddenCount === 1 ? "oneHidden" : "hidden", {count: hiddenCount});
    if (count) {
      status.textContent = say(words ? (count === 1 ? "oneResultFor" : "resultsFor") : (count === 1 ? "oneResult" : "results"),
                               values) + hidden;
      return;
    }
    var none = say(words ? "noResultsFor" : "noResults", values);
    if (fixes && fixes.size) {
      var fixed = replaceWords(state.q, fixes), link = document.createElement("a");
      link.href = stateUrl(Object.assign({}, state, {q: fixed}));
      link.className = "search-suggestion";
      link.textContent = fixed.trim();
      link.addEventListener("click", function (event) {
        event.preventDefault();
        input.value = fixed;
        clearTimeout(timer);
        update(formState(), "submit");
      });
      var question = say("didYouMean").split("{suggestion}");
      status.append(none + " " + question[0], link, question.slice(1).join(""));
      return;
    }
    status.textContent = none + hidden + " " + say("tryOther");
  }

  function showMore(mine, first) {
    var start = first ? 0 : list.children.length, page = rankedSlice(start, start + PAGE_SIZE);
    var per = manifest.docsPerShard;
    var shards = Array.from(new Set(page.map(function (doc) { return Math.floor(doc / per); })));
    return Promise.all(shards.map(function (n) { return load("docs/" + n); })).then(function () {
      if (mine !== sequence) { return; }
      if (first) { list.textContent = ""; }
      page.forEach(function (doc) {
        var record = loaded["docs/" + Math.floor(doc / per)][0][doc % per];
        list.appendChild(card(record));
      });
      more.hidden = list.children.length >= shown.length;
    });
  }

  function card(record) {
    // record: [url, title, kind, date label, ISO date, warnings, summary, source or region, language, text, "rtl" or ""]
    var item = document.createElement("li"), article = document.createElement("article");
    article.className = "card card-" + (record[2] === "t" ? "testimony" : "article");
    // An item in another language: its title and text carry lang (and dir), and a label names the
    // language, in the page's own (the card's other words are the page's).
    var other = record[8] && record[8] !== document.documentElement.lang;
    var direction = record[10] || "ltr", flips = direction !== (document.documentElement.dir || "ltr");
    function inItsLanguage(element) {
      if (other) { element.lang = record[8]; }
      if (other && flips) { element.dir = direction; }
      return element;
    }
    var meta = document.createElement("p"), kind = document.createElement("span"), time = document.createElement("time");
    meta.className = "card-meta";
    kind.className = "kind";
    kind.textContent = record[2] === "t" ? WORDS.testimony : WORDS.article;
    time.setAttribute("datetime", record[4]);
    time.textContent = record[3];
    meta.append(kind, " · ", time);
    if (record[7]) {
      var where = document.createElement("span");
      where.className = record[2] === "t" ? "region" : "source";
      where.appendChild(highlight(record[7], record[8]));
      meta.append(" · ", where);
    }
    if (other) {
      var language = document.createElement("span");
      language.className = "result-language";
      language.textContent = facets.languageNames[record[8]] || record[8];
      meta.append(" · ", language);
    }
    var heading = inItsLanguage(document.createElement("h2")), link = document.createElement("a");
    heading.className = "card-title";
    link.href = siteRoot + record[0] + linkSuffix;
    link.appendChild(highlight(record[1], record[8]));
    heading.appendChild(link);
    article.append(meta, heading);
    var excerpt = excerptOf(record);
    if (excerpt) { inItsLanguage(excerpt); }
    if (record[5].length) {
      // The warning comes first, in one calm line, as on the cards; the excerpt is folded behind it.
      var warning = document.createElement("p"), label = document.createElement("span");
      warning.className = "cw-labels";
      label.className = "cw-title";
      label.textContent = WORDS.contentWarning;
      warning.append(label, " ");
      record[5].forEach(function (name, i) {
        var cw = document.createElement("span");
        cw.className = "cw";
        cw.textContent = name;
        warning.append(i ? ", " : "", cw);
      });
      article.appendChild(warning);
      if (excerpt && foldWarnings) { excerpt = fold(excerpt); }
    }
    if (excerpt) { article.appendChild(excerpt); }
    item.appendChild(article);
    return item;
  }

  function fold(content) {
    var details = document.createElement("details"), summary = document.createElement("summary");
    details.className = "cw-fold";
    summary.textContent = WORDS.showExcerpt;
    details.append(summary, content);
    details.addEventListener("toggle", function () { summary.textContent = details.open ? WORDS.hideExcerpt : WORDS.showExcerpt; });
    return details;
  }

  /* The paragraph a result shows: the part of the body around the matched words, else the summary
     (with its matched words marked), else the start of the body. */
  function excerptOf(record) {
    var summary = record[6], text = record[9], paragraph = document.createElement("p");
    paragraph.className = "card-summary search-excerpt";
    var stemmer = stemmerOf(record[8]);
    var inText = text ? findMarks(text, highlightTerms, stemmer) : null;
    var around = inText ? excerptWindow(inText, text.slice(-1) === "…") : null;
    if (around) {
      if (around.before) { paragraph.append("…"); }
      paragraph.appendChild(marked(text, inText.marks, around.from, around.to));
      if (around.after) { paragraph.append("…"); }
      return paragraph;
    }
    if (summary) {
      paragraph.appendChild(highlight(summary, record[8]));
      return paragraph;
    }
    if (!text) { return null; }
    var start = inText.words.length > EXCERPT_WORDS ? inText.words[EXCERPT_WORDS - 1].end : text.length;
    paragraph.append(text.slice(0, start).replace(/…$/, ""), start < text.length || text.slice(-1) === "…" ? "…" : "");
    return paragraph;
  }

  /* Text as nodes, with <mark> around words whose normalised form (or stem, in language) was matched. */
  function highlight(text, language) {
    return marked(text, findMarks(text, highlightTerms, stemmerOf(language)).marks, 0, text.length);
  }

  /* text[from:to] as text nodes, with the marks inside it as <mark> elements (never as HTML). */
  function marked(text, marks, from, to) {
    var fragment = document.createDocumentFragment(), at = from;
    marks.forEach(function (m) {
      if (m.start < from || m.end > to) { return; }
      fragment.append(text.slice(at, m.start));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(m.start, m.end);
      fragment.appendChild(mark);
      at = m.end;
    });
    fragment.append(text.slice(at, to));
    return fragment;
  }

  input.addEventListener("input", schedule);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    update(formState(), "submit");
  });
  FILTERS.forEach(function (key) {
    selects[key].addEventListener("change", function () { clearTimeout(timer); update(formState(), "submit"); });
  });
  // On a large archive the tag counts load when the reader turns to the tag filter.
  ["focus", "pointerdown"].forEach(function (type) {
    selects.tag.addEventListener(type, function () {
      if (!facets || facets.tagMembers) { return; }
      loadTags().then(function () { if (counted) { showCounts(facetCounts(counted.visible, counted.filters)); } });
    });
  });
  hideBoxes.forEach(function (box) {
    box.addEventListener("change", function () {
      clearTimeout(timer);
      var state = formState();
      storeHide(state.hide);
      update(state, "hide");
    });
  });
  more.addEventListener("click", function () {
    var first = list.children.length;
    showMore(sequence).then(function () {
      var next = list.children[first];
      if (next) { next.querySelector("a").focus(); }
    });
  });
  global.addEventListener("popstate", function () {
    if (!manifest) { return; }
    committed = readUrl();
    var state = Object.assign({}, committed, {hide: union(committed.hide, storedHide())});
    input.value = state.q;
    facetsReady.then(function () { showFilters(state); });
    update(state, "history");
  });

  // The stemmers of the archive's languages (stem/*.js), by Snowball algorithm (the manifest's
  // stemmers: [language, algorithm, the scripts it stems]). A search stems the reader's words in each
  // language whose script they are written in (or only in the language chosen in the filter), and
  // loads those stemmers the first time it needs them. Without them (a file that did not load),
  // words are found as they are typed.
  var stemmers = {}, stemmerLoads = {}, stemBase = null;

  function loadStemmer(name) {
    if (!stemmerLoads[name]) {
      stemBase = stemBase || load("stem/base").then(function (data) { return data[0](); });
      stemmerLoads[name] = Promise.all([stemBase, load("stem/" + name)]).then(function (data) {
        var Stemmer = data[1][0](data[0]);
        stemmers[name] = new Stemmer();
      }).catch(function () { delete stemmerLoads[name]; stemBase = null; });
    }
    return stemmerLoads[name];
  }

  function algorithmOf(language) {
    var entry = manifest.stemmers.filter(function (p) { return p[0] === language; })[0];
    return entry ? entry[1] : null;
  }

  function stemmerOf(language) { return stemmers[algorithmOf(language)] || null; }

  /* The stemmers the words of raw are stemmed in, for state, once loaded: name -> stemmer. */
  function stemmersFor(state, raw) {
    var words = originalWords(raw), names = [];
    manifest.stemmers.forEach(function (entry) {
      if (names.indexOf(entry[1]) >= 0 || (state.lang && entry[0] !== state.lang)) { return; }
      var script = new RegExp("\\p{Script=" + entry[2].split(" ").join("}|\\p{Script=") + "}", "u");
      if (words.some(function (word) { return script.test(word); })) { names.push(entry[1]); }
    });
    return Promise.all(names.map(loadStemmer)).then(function () {
      var chosen = {};
      names.forEach(function (name) { if (stemmers[name]) { chosen[name] = stemmers[name]; } });
      return chosen;
    });
  }

  // The manifest and the facets load at once; the query's shards as soon as the manifest is in.
  status.textContent = WORDS.loading;
  var manifestReady = load("manifest").then(function (data) {
    manifest = data[0];
    setJoins(manifest.joins);
    STEM_MARK = manifest.stemMark || STEM_MARK;
  });
  var facetsReady = Promise.all([load("facets"), manifestReady]).then(function (data) {
    prepareFacets(data[0][0]);
    buildOptions();
  });
  facetsReady.catch(function () { /* reported by the search that waits for it */ });
  var hiddenByPreference = storedHide();  // storage can be slow to open: while the manifest loads
  manifestReady.then(function () {
    committed = readUrl();
    var state = Object.assign({}, committed, {hide: union(committed.hide, hiddenByPreference)});
    var searched = update(state, "load");  // asks for the query's shards first, then sets up the form
    input.value = state.q;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    hideBoxes.forEach(function (box) { box.checked = state.hide.indexOf(box.value) >= 0; });
    facetsReady.then(function () { showFilters(state); });
    return searched;
  }).catch(function () {
    status.textContent = WORDS.failed;
  });
}(typeof window !== "undefined" ? window : globalThis));
