// Browser side of the SVG export (src/export/svg.ts embeds this file as text): zoom on click,
// Reset Zoom / Escape, search (button, Ctrl-F or / as in the viewer) with the matched share, the details line, and
// in a diff the other profile's shape (button or b).
// It reads frame data only from the JSON blob #ft-data and writes text only through textContent.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("ft-data").textContent);
  var groups = document.getElementById("ft-frames").children;
  var details = document.getElementById("ft-details");
  var matched = document.getElementById("ft-matched");
  var unzoomButton = document.getElementById("ft-unzoom");
  var searchButton = document.getElementById("ft-search");
  var shapeButton = document.getElementById("ft-shape");
  var count = data.x.length;
  var rects = [], texts = [], end = [];
  for (var i = 0; i < count; i++) {
    rects.push(groups[i].getElementsByTagNameNS(NS, "rect")[0]);
    texts.push(groups[i].getElementsByTagNameNS(NS, "text")[0]);
  }
  // One past the last frame of each frame's subtree (frames are in preorder).
  var open = [];
  for (var j = 0; j < count; j++) {
    while (open.length > 0 && data.d[open[open.length - 1]] >= data.d[j]) end[open.pop()] = j;
    open.push(j);
  }
  while (open.length > 0) end[open.pop()] = count;

  var zoomed = data.view;
  var regex = null;
  // The shape drawn: left edges, widths and total of this profile, or (a diff) of the other.
  var X = data.x, W = data.w, TOTAL = data.total, other = false;

  function fit(name, px) {
    var room = Math.floor((px - 6) / data.charW);
    if (room < 3) return "";
    if (name.length <= room) return name;
    var cut = room - 2;
    var c = name.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--;
    return name.slice(0, cut) + "..";
  }

  function place(k, x, w) {
    var r = rects[k];
    r.setAttribute("x", (data.X0 + x).toFixed(3));
    r.setAttribute("width", Math.max(0, w - 0.5).toFixed(3));
    texts[k].setAttribute("x", (data.X0 + x + 3).toFixed(3));
    texts[k].textContent = fit(data.names[data.n[k]], w);
  }

  function isAncestor(a, k) {
    for (var p = data.p[k]; p >= 0; p = data.p[p]) if (p === a) return true;
    return false;
  }

  /** Shows frame k's subtree at full width, its ancestors full width and dimmed, nothing else. */
  function zoom(k) {
    if (k < data.view || !(W[k] > 0)) k = data.view;
    zoomed = k;
    var x0 = X[k], w0 = W[k], scale = w0 > 0 ? data.W / w0 : 0;
    for (var j = 0; j < count; j++) {
      var g = groups[j];
      if (j >= k && j < end[k] && W[j] > 0) {
        g.classList.remove("hide", "z");
        place(j, (X[j] - x0) * scale, W[j] * scale);
      } else if (j < k && isAncestor(j, k)) {
        g.classList.remove("hide");
        if (j >= data.view) g.classList.add("z");
        place(j, 0, data.W);
      } else {
        g.classList.add("hide");
      }
    }
    unzoomButton.classList.toggle("hide", k === data.view);
    showMatched();
  }

  function frameMatches(k) {
    return regex !== null && (regex.lastIndex = 0, regex.test(data.names[data.n[k]]));
  }

  /** Weight under frame k whose stack has a matching frame, each sample once (a matching frame's subtree is skipped). */
  function matchedWeight(k) {
    if (k >= count) return 0; // an empty profile
    for (var a = k; a >= 0; a = data.p[a]) if (frameMatches(a)) return W[k];
    var sum = 0;
    for (var j = k + 1; j < end[k]; ) {
      if (frameMatches(j)) {
        sum += W[j];
        j = end[j];
      } else j++;
    }
    return sum;
  }

  function pct(part, whole) {
    return whole > 0 ? ((100 * part) / whole).toFixed(2) + "%" : "0.00%";
  }

  function showMatched() {
    if (regex === null) {
      matched.textContent = " ";
      searchButton.textContent = "Search (Ctrl-F)";
      return;
    }
    var text = "Matched: " + pct(matchedWeight(data.view), TOTAL) + " of all";
    if (zoomed !== data.view) text += " (" + pct(matchedWeight(zoomed), W[zoomed]) + " of zoom)";
    matched.textContent = text;
    searchButton.textContent = "Reset Search";
  }

  function search(pattern) {
    regex = null;
    if (pattern) {
      try {
        regex = new RegExp(pattern, /[A-Z]/.test(pattern) ? "" : "i");
      } catch (e) {
        matched.textContent = "bad regex: " + e.message;
        return;
      }
    }
    for (var j = 0; j < count; j++) groups[j].classList.toggle("m", frameMatches(j));
    showMatched();
  }

  function askSearch() {
    var p = window.prompt("Search frames (regular expression; case-insensitive unless it has a capital)", "");
    if (p !== null) search(p);
  }

  /** A diff: draws the other profile's shape (frames that vanished come back), or this one's again. */
  function toggleShape() {
    if (!data.x2) return;
    other = !other;
    X = other ? data.x2 : data.x;
    W = other ? data.w2 : data.w;
    TOTAL = other ? data.total2 : data.total;
    var s = other ? [data.shapes[1], data.shapes[0]] : data.shapes;
    shapeButton.textContent = s[0] + "'s shape (b: " + s[1] + "'s)";
    zoom(zoomed);
  }

  function reset() {
    search("");
    zoom(data.view);
  }

  for (var f = 0; f < count; f++) {
    (function (k) {
      var g = groups[k];
      g.addEventListener("click", function () {
        zoom(k);
      });
      g.addEventListener("mouseover", function () {
        details.textContent = g.getElementsByTagNameNS(NS, "title")[0].textContent;
      });
      g.addEventListener("mouseout", function () {
        details.textContent = " ";
      });
    })(f);
  }
  unzoomButton.addEventListener("click", function () {
    zoom(data.view);
  });
  if (shapeButton) shapeButton.addEventListener("click", toggleShape);
  searchButton.addEventListener("click", function () {
    if (regex !== null) search("");
    else askSearch();
  });
  window.addEventListener("keydown", function (e) {
    if (((e.ctrlKey || e.metaKey) && (e.key === "f" || e.key === "F")) || (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey)) {
      e.preventDefault();
      askSearch();
    } else if (e.key === "Escape") {
      reset();
    } else if (e.key === "b" && !e.ctrlKey && !e.metaKey && !e.altKey) {
      toggleShape();
    }
  });
})();
