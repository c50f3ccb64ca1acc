// linesift review: pages with every line coloured by its content score; the threshold relabels live.
// Page text is only ever set with textContent (never parsed as HTML): scraped lines may hold markup.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const root = document.getElementById("review");
  const $ = (id) => document.getElementById(id);
  const slider = $("threshold"), shown = $("threshold-value"), summary = $("summary");
  const list = $("page-list"), search = $("search"), order = $("order"), wrongOnly = $("wrong-only");
  const labelled = data.pages.some((p) => p.truth);
  // A model with page decoding cuts each page at its own score (page.cut) until the slider moves.
  let threshold = data.threshold, perPage = data.pages.some((p) => typeof p.cut === "number"), current = -1;
  const haystacks = data.pages.map((p) => (p.name + "\n" + p.lines.join("\n")).toLowerCase());

  function cutOf(p) {
    return perPage && typeof data.pages[p].cut === "number" ? data.pages[p].cut : threshold;
  }
  function predicted(score, cut) {
    return score === null ? "blank" : score >= cut ? "content" : "chrome";
  }
  function isWrong(page, i, cut) {
    const t = page.truth ? page.truth[i] : null;
    return (t === "content" || t === "chrome") && predicted(page.scores[i], cut) !== t;
  }
  function isUnsure(score, cut) {
    return score !== null && score > cut - data.unsure && score < cut + data.unsure;
  }
  // Per page, the scores sorted (all lines; true content; true chrome): counts at any threshold are
  // binary searches, so the slider stays quick on thousands of pages.
  const sorted = data.pages.map((p) => {
    const all = [], content = [], chrome = [];
    p.scores.forEach((s, i) => {
      if (s === null) return;
      all.push(s);
      if (p.truth && p.truth[i] === "content") content.push(s);
      if (p.truth && p.truth[i] === "chrome") chrome.push(s);
    });
    const up = (a, b) => a - b;
    return { all: all.sort(up), content: content.sort(up), chrome: chrome.sort(up) };
  });
  // Number of values in ascending ``a`` below ``x`` (or at most ``x`` when ``inclusive``).
  function below(a, x, inclusive) {
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < x || (inclusive && a[mid] === x)) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  // White at the threshold, deepening towards 1 (content colour) or 0 (chrome colour).
  function colour(score, cut) {
    if (score === null) return "transparent";
    const up = score >= cut;
    const span = up ? 1 - cut : cut;
    const strength = span > 0 ? Math.min(1, Math.abs(score - cut) / span) : 1;
    return "rgba(var(" + (up ? "--content" : "--chrome") + "), " + (0.06 + 0.5 * strength).toFixed(3) + ")";
  }
  function pageCounts(i) {
    const s = sorted[i], lines = s.all.length, cut = cutOf(i);
    const content = lines - below(s.all, cut, false);
    const unsure = below(s.all, cut + data.unsure, false) - below(s.all, cut - data.unsure, true);
    const wrong = below(s.content, cut, false) + s.chrome.length - below(s.chrome, cut, false);
    return { content, lines, wrong, unsure };
  }
  function statsText(c) {
    let text = c.content + " of " + c.lines + " lines content, " + c.unsure + " unsure";
    if (labelled) text += ", " + c.wrong + " wrong";
    return text;
  }

  function renderList() {
    const needle = search.value.trim().toLowerCase();
    const rows = data.pages.map((p, i) => ({ i, c: pageCounts(i) }))
      .filter((r) => !needle || haystacks[r.i].includes(needle));
    if (order.value === "unsure") rows.sort((a, b) => b.c.unsure - a.c.unsure || a.i - b.i);
    if (order.value === "wrong") rows.sort((a, b) => b.c.wrong - a.c.wrong || a.i - b.i);
    list.replaceChildren(...rows.map((r) => {
      const li = document.createElement("li");
      li.dataset.page = r.i;
      li.className = r.i === current ? "current" : "";
      li.append(document.createTextNode(data.pages[r.i].name));
      const small = document.createElement("small");
      small.textContent = statsText(r.c);
      li.append(small);
      li.addEventListener("click", () => showPage(r.i));
      return li;
    }));
  }

  function renderSummary() {
    let content = 0, lines = 0, wrong = 0;
    data.pages.forEach((p, i) => {
      const c = pageCounts(i);
      content += c.content; lines += c.lines; wrong += c.wrong;
    });
    summary.dataset.contentLines = content;
    summary.dataset.lines = lines;
    summary.dataset.wrongLines = wrong;
    summary.textContent = data.pages.length + " pages: " + content + " of " + lines + " lines content" +
      (labelled ? ", " + wrong + " wrong" : "");
  }

  function renderPage() {
    const page = data.pages[current], cut = cutOf(current);
    const box = $("lines");
    $("page-title").textContent = page.name;
    $("page-stats").textContent = (page.source ? page.source + ": " : "") + statsText(pageCounts(current));
    const head = document.createElement("div");
    head.className = "line head";
    for (const name of ["line", "model", page.truth ? "truth" : "", "text"]) {
      const cell = document.createElement("span");
      cell.textContent = name;
      head.append(cell);
    }
    box.replaceChildren(head, ...page.lines.map((text, i) => {
      const s = page.scores[i], label = predicted(s, cut);
      const row = document.createElement("div");
      row.className = "line " + label + (isUnsure(s, cut) ? " unsure" : "") + (isWrong(page, i, cut) ? " wrong" : "");
      row.dataset.label = label;
      row.dataset.line = i + 1;
      if (page.truth) row.dataset.truth = page.truth[i];
      row.style.background = colour(s, cut);
      if (s !== null) row.title = "score " + s.toFixed(4) + (perPage ? " (this page's cut " : " (threshold ") + cut.toFixed(2) + ")";
      const cells = [["no", String(i + 1)], ["pred", label === "blank" ? "" : label],
        ["truth", page.truth && page.truth[i] !== "blank" ? page.truth[i] : ""], ["text", text]];
      for (const [cls, value] of cells) {
        const cell = document.createElement("span");
        cell.className = cls;
        cell.textContent = value;
        row.append(cell);
      }
      return row;
    }));
  }

  function showPage(i) {
    if (!Number.isInteger(i) || i < 0 || i >= data.pages.length) return;
    current = i;
    renderPage();
    for (const li of list.children) li.className = Number(li.dataset.page) === i ? "current" : "";
  }

  function setThreshold(value, keepPerPage) {
    perPage = !!keepPerPage && data.pages.some((p) => typeof p.cut === "number");
    threshold = Math.min(1, Math.max(0, Number(value)));
    slider.value = threshold;
    shown.textContent = perPage ? "per page" : threshold.toFixed(2);
    renderSummary();
    renderList();
    if (current >= 0) renderPage();
  }

  slider.addEventListener("input", () => setThreshold(slider.value));
  $("reset").addEventListener("click", () => setThreshold(data.threshold, true));
  search.addEventListener("input", renderList);
  order.addEventListener("change", renderList);
  if (labelled) {
    root.classList.add("labelled");
    wrongOnly.parentElement.hidden = false;
    wrongOnly.addEventListener("change", () => root.classList.toggle("wrong-only", wrongOnly.checked));
  } else {
    order.querySelector("option[value=wrong]").remove();
  }
  document.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const visible = Array.from(list.children, (li) => Number(li.dataset.page));
    const at = visible.indexOf(current);
    if (e.key === "j" || e.key === "ArrowDown") showPage(visible[Math.min(at + 1, visible.length - 1)]);
    if (e.key === "k" || e.key === "ArrowUp") showPage(visible[Math.max(at - 1, 0)]);
  });
  window.linesiftReview = { showPage, setThreshold };
  setThreshold(threshold, true);
  if (data.pages.length) showPage(0);
  else $("lines").textContent = "No pages.";
})();
