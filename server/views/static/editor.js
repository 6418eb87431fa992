/* The query editor: SPARQL syntax highlighting over the plain textarea, and Ctrl/Cmd+Enter to run.
   Without this script the page still works: the textarea is a normal one and the form a GET form.
   Highlighting draws the same text, coloured, in a <pre> under a textarea whose own text is transparent. */
(function () {
  "use strict";
  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED GRAPH OPTIONAL UNION MINUS " +
    "FILTER BIND VALUES SERVICE SILENT DISTINCT REDUCED AS ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING " +
    "NOT EXISTS IN A UNDEF TRUE FALSE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG " +
    "LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE " +
    "ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS " +
    "TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM " +
    "ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE").split(" ");
  var KEYWORD = {};
  KEYWORDS.forEach(function (k) { KEYWORD[k] = true; });
  var TOKEN = new RegExp([
    "(#[^\\n]*)",                                                     // 1 comment
    "(\"\"\"[\\s\\S]*?\"\"\"|'''[\\s\\S]*?'''|\"(?:[^\"\\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\\n]|\\\\.)*')", // 2 string
    "(<[^<>\"{}|^`\\\\\\s]*>)",                                       // 3 IRI
    "([?$][\\w\\u00B7\\u00C0-\\uFFFF]+)",                             // 4 variable
    "(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",                                 // 5 language tag
    "((?:[A-Za-z][\\w.-]*)?:(?:[\\w%\\u00C0-\\uFFFF](?:[\\w.%\\u00C0-\\uFFFF-]*[\\w%\\u00C0-\\uFFFF-])?)?)", // 6 prefixed name
    "([+-]?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)",                        // 7 number
    "([A-Za-z_]+)"                                                     // 8 word
  ].join("|"), "g");
  var CLASSES = [null, "comment", "string", "iri", "var", "lang", "pname", "number", "word"];

  function escape(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      if (m[0] === "") { TOKEN.lastIndex++; continue; }
      out += escape(text.slice(last, m.index));
      var cls = null;
      for (var i = 1; i < m.length; i++) { if (m[i] !== undefined) { cls = CLASSES[i]; break; } }
      if (cls === "word") { cls = KEYWORD[m[0].toUpperCase()] ? "keyword" : null; }
      out += cls ? '<span class="tok-' + cls + '">' + escape(m[0]) + "</span>" : escape(m[0]);
      last = TOKEN.lastIndex;
    }
    // a final newline needs a character after it to take up a line in the <pre>
    return out + escape(text.slice(last)) + "\n";
  }

  function start() {
    var editor = document.getElementById("editor");
    var area = document.getElementById("query");
    var code = document.getElementById("highlight");
    var form = document.getElementById("query-form");
    if (!editor || !area || !code) { return; }
    var pre = code.parentNode;
    function update() { code.innerHTML = highlight(area.value); sync(); }
    function sync() { pre.scrollTop = area.scrollTop; pre.scrollLeft = area.scrollLeft; }
    area.addEventListener("input", update);
    area.addEventListener("scroll", sync);
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.submit(); }
      if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.altKey) {   // indent instead of leaving the field
        e.preventDefault();
        var s = area.selectionStart;
        area.setRangeText("  ", s, area.selectionEnd, "end");
        update();
      }
    });
    editor.classList.add("highlighting");
    update();
  }

  window.andtsHighlight = highlight;  // for tests and the console
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
