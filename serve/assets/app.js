// cfonb serve: the page. Plain JavaScript, no library. Every piece of a
// file's data is put into the page with textContent, never as HTML.
"use strict";

const MESSAGES = {
  en: {
    tagline: "Check, repair and export CFONB120 bank statements. Your files stay on this computer.",
    dropHint: "Drop CFONB120 files or a folder here",
    pickFiles: "Choose files",
    pickFolder: "Choose a folder",
    footer: "Served by cfonb serve on this computer: nothing is sent elsewhere.",
    checking: "Checking…",
    format: "Format",
    records: "Records",
    statements: "Statements",
    errors: "Errors",
    warnings: "Warnings",
    reconcile: "Reconciliation",
    allReconcile: "every statement reconciles",
    notReconcile: "{n} statement(s) do not reconcile",
    noStatement: "no statement",
    tabDiagnostics: "Problems",
    tabStatements: "Statements",
    tabRepair: "Repair",
    tabExport: "Export",
    tabUpload: "Upload preview",
    allRules: "All rules",
    allSeverities: "All severities",
    error: "error",
    warning: "warning",
    line: "line",
    column: "column",
    noDiagnostic: "No problem found.",
    noMatch: "No problem matches the filter.",
    page: "Page {p} of {n}",
    previous: "Previous",
    next: "Next",
    omitted: "{n} more problems were not kept (the counts include them).",
    shown: "{a}–{b} of {n}",
    lines: "Lines",
    account: "Account",
    from: "From",
    to: "To",
    opening: "Opening",
    movements: "Movements",
    debits: "Debits",
    credits: "Credits",
    closing: "Closing",
    reconciles: "Reconciles",
    yes: "yes",
    no: "NO",
    open: "(open)",
    accounts: "Accounts",
    bank: "Bank",
    branch: "Branch",
    iban: "IBAN",
    currency: "Currency",
    repairIntro: "Rewrite the file as canonical CFONB120 (ASCII, 120 characters, CRLF) without changing a figure, as cfonb fmt does.",
    repairButton: "Repair",
    repairDone: "Repaired: {what}",
    repairNothing: "The file is already canonical: nothing to repair.",
    repairNothingErrors: "Nothing repaired: the file is not canonical, and its errors below are not ones repair can fix.",
    repairRefused: "Repair refused, nothing written",
    repairDownload: "Download the repaired file",
    repairRemaining: "After repair: {e} error(s), {w} warning(s) remain (repair does not guess figures).",
    repairNotRepaired: "Left as they are",
    exportIntro: "Export the movements. A file with errors is not exported.",
    exportCSV: "CSV",
    exportCSVFr: "CSV, French accounting layout (for Excel: ; and decimal comma)",
    exportJSON: "JSON",
    exportJSONL: "JSON Lines",
    exportXLSX: "Excel (xlsx)",
    exportXLSXFr: "Excel, French accounting layout",
    exportOFX: "OFX",
    exportFailed: "Export refused",
    uploadIntro: "What cfonb upload --dry-run would do: the accounts to register and the files to import or skip. Nothing is sent from this page; run the command in a terminal to send.",
    dossier: "Dossier id",
    env: "Platform",
    uploadButton: "Preview",
    uploadCommand: "To send, run:",
    failed: "Failed",
    working: "Working…",
    sizeLimit: "The file is larger than the server's limit.",
    notListed: "{n} more statements are not listed (run cfonb inspect for all of them).",
  },
  fr: {
    tagline: "Vérifiez, réparez et exportez vos relevés bancaires CFONB120. Vos fichiers restent sur cet ordinateur.",
    dropHint: "Déposez ici des fichiers CFONB120 ou un dossier",
    pickFiles: "Choisir des fichiers",
    pickFolder: "Choisir un dossier",
    footer: "Servi par cfonb serve sur cet ordinateur : rien n'est envoyé ailleurs.",
    checking: "Vérification…",
    format: "Format",
    records: "Enregistrements",
    statements: "Relevés",
    errors: "Erreurs",
    warnings: "Avertissements",
    reconcile: "Rapprochement",
    allReconcile: "tous les relevés sont équilibrés",
    notReconcile: "{n} relevé(s) non équilibré(s)",
    noStatement: "aucun relevé",
    tabDiagnostics: "Problèmes",
    tabStatements: "Relevés",
    tabRepair: "Réparer",
    tabExport: "Exporter",
    tabUpload: "Aperçu de l'envoi",
    allRules: "Toutes les règles",
    allSeverities: "Toutes les gravités",
    error: "erreur",
    warning: "avertissement",
    line: "ligne",
    column: "colonne",
    noDiagnostic: "Aucun problème trouvé.",
    noMatch: "Aucun problème ne correspond au filtre.",
    page: "Page {p} sur {n}",
    previous: "Précédente",
    next: "Suivante",
    omitted: "{n} autres problèmes n'ont pas été conservés (les totaux les comptent).",
    shown: "{a}–{b} sur {n}",
    lines: "Lignes",
    account: "Compte",
    from: "Du",
    to: "Au",
    opening: "Solde initial",
    movements: "Mouvements",
    debits: "Débits",
    credits: "Crédits",
    closing: "Solde final",
    reconciles: "Équilibré",
    yes: "oui",
    no: "NON",
    open: "(ouvert)",
    accounts: "Comptes",
    bank: "Banque",
    branch: "Guichet",
    iban: "IBAN",
    currency: "Devise",
    repairIntro: "Réécrire le fichier en CFONB120 canonique (ASCII, 120 caractères, CRLF) sans changer un seul chiffre, comme cfonb fmt.",
    repairButton: "Réparer",
    repairDone: "Réparé : {what}",
    repairNothing: "Le fichier est déjà canonique : rien à réparer.",
    repairNothingErrors: "Rien n'est réparé : le fichier n'est pas canonique, et ses erreurs ci-dessous ne sont pas de celles que la réparation corrige.",
    repairRefused: "Réparation refusée, rien n'est écrit",
    repairDownload: "Télécharger le fichier réparé",
    repairRemaining: "Après réparation : {e} erreur(s), {w} avertissement(s) restent (la réparation ne devine aucun chiffre).",
    repairNotRepaired: "Laissées telles quelles",
    exportIntro: "Exporter les mouvements. Un fichier qui a des erreurs n'est pas exporté.",
    exportCSV: "CSV",
    exportCSVFr: "CSV, présentation comptable française (pour Excel : ; et virgule décimale)",
    exportJSON: "JSON",
    exportJSONL: "JSON Lines",
    exportXLSX: "Excel (xlsx)",
    exportXLSXFr: "Excel, présentation comptable française",
    exportOFX: "OFX",
    exportFailed: "Export refusé",
    uploadIntro: "Ce que ferait cfonb upload --dry-run : les comptes à déclarer et les fichiers à importer ou à ignorer. Rien n'est envoyé depuis cette page ; lancez la commande dans un terminal pour envoyer.",
    dossier: "Numéro de dossier",
    env: "Plateforme",
    uploadButton: "Aperçu",
    uploadCommand: "Pour envoyer, lancez :",
    failed: "Échec",
    working: "En cours…",
    sizeLimit: "Le fichier dépasse la taille maximale du serveur.",
    notListed: "{n} autres relevés ne sont pas affichés (cfonb inspect les liste tous).",
  },
};

const LANG = (navigator.languages && navigator.languages[0] || navigator.language || "en").toLowerCase().startsWith("fr") ? "fr" : "en";
const PAGE_SIZE = 50;

function t(key, args) {
  let s = (MESSAGES[LANG] && MESSAGES[LANG][key]) || MESSAGES.en[key] || key;
  if (args) {
    for (const k of Object.keys(args)) s = s.split("{" + k + "}").join(String(args[k]));
  }
  return s;
}

// el builds an element: el("p", {class: "x"}, "text", child...).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function translatePage() {
  document.documentElement.lang = LANG;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
}

// api posts a file to the server and returns the Response.
async function api(path, file, params) {
  const q = new URLSearchParams(params || {});
  q.set("name", file.cfonbPath || file.name);
  return fetch(path + "?" + q.toString(), { method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
}

async function errorText(resp) {
  try {
    const j = await resp.json();
    return j.message || j.error || resp.statusText;
  } catch (e) {
    return resp.status === 413 ? t("sizeLimit") : resp.statusText;
  }
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name, class: "hidden-link" });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 60000);
}

// ---- Files -----------------------------------------------------------

let fileCount = 0;

function addFiles(files) {
  for (const f of files) addFile(f);
}

async function addFile(file) {
  const id = "file-" + (++fileCount);
  const card = el("article", { class: "file", id: id, "data-name": file.cfonbPath || file.name });
  const head = el("header", {}, el("h2", {}, file.cfonbPath || file.name), el("p", { class: "status" }, t("checking")));
  card.append(head);
  document.getElementById("files").prepend(card);
  let doc;
  try {
    const resp = await api("/api/inspect", file, { diagnostics: "1", lines: "1", max_errors: "10000" });
    if (!resp.ok) throw new Error(await errorText(resp));
    doc = await resp.json();
  } catch (e) {
    head.querySelector(".status").textContent = t("failed") + ": " + e.message;
    card.classList.add("v-failed");
    return;
  }
  renderFile(card, file, doc.files[0]);
}

function renderFile(card, file, rep) {
  card.replaceChildren();
  const bad = rep.statement_list ? rep.statement_list.filter(s => !s.reconciles).length : 0;
  let rec = t("noStatement");
  if (rep.statement_list && rep.statement_list.length) rec = bad ? t("notReconcile", { n: bad }) : t("allReconcile");
  const verdict = rep.errors > 0 ? "v-bad" : rep.warnings > 0 ? "v-warn" : "v-good";
  card.classList.add(verdict);
  const summary = el("dl", { class: "summary" },
    el("dt", {}, t("format")), el("dd", { class: "s-format" }, "CFONB120" + (rep.framing ? " (" + rep.framing + ")" : "")),
    el("dt", {}, t("records")), el("dd", { class: "s-records" }, rep.records),
    el("dt", {}, t("statements")), el("dd", { class: "s-statements" }, rep.statements),
    el("dt", {}, t("errors")), el("dd", { class: "s-errors" + (rep.errors ? " bad" : "") }, rep.errors),
    el("dt", {}, t("warnings")), el("dd", { class: "s-warnings" + (rep.warnings ? " warn" : "") }, rep.warnings),
    el("dt", {}, t("reconcile")), el("dd", { class: "s-reconcile" + (bad ? " bad" : "") }, rec));
  card.append(el("header", {}, el("h2", {}, rep.path), summary));

  const panels = {
    diagnostics: () => renderDiagnostics(rep),
    statements: () => renderStatements(rep),
    repair: () => renderRepair(file),
    export: () => renderExport(file),
    upload: () => renderUpload(file),
  };
  const tabs = el("nav", { class: "tabs", role: "tablist" });
  const body = el("div", { class: "panel" });
  const names = { diagnostics: "tabDiagnostics", statements: "tabStatements", repair: "tabRepair", export: "tabExport", upload: "tabUpload" };
  const built = {};
  function show(name) {
    for (const b of tabs.children) b.setAttribute("aria-selected", b.dataset.tab === name ? "true" : "false");
    if (!built[name]) built[name] = panels[name]();
    body.replaceChildren(built[name]);
  }
  for (const name of Object.keys(panels)) {
    let label = t(names[name]);
    if (name === "diagnostics") label += " (" + (rep.errors + rep.warnings) + ")";
    tabs.append(el("button", { type: "button", role: "tab", class: "tab tab-" + name, "data-tab": name, onclick: () => show(name) }, label));
  }
  card.append(tabs, body);
  show("diagnostics");
}

// ---- Diagnostics -----------------------------------------------------

function ruler(width) {
  let tens = "", units = "";
  for (let c = 1; c <= width; c++) {
    tens += c % 10 === 0 ? String(Math.floor(c / 10) % 10) : " ";
    units += String(c % 10);
  }
  return tens + "\n" + units;
}

function renderDiagnostic(d) {
  const sev = d.severity === "warning" ? "warning" : "error";
  const where = t("line") + " " + d.line + ", " + t("column") + " " + d.column;
  const item = el("li", { class: "diag " + sev, "data-line": d.line, "data-column": d.column, "data-rule": d.rule });
  item.append(el("p", { class: "diag-head" },
    el("span", { class: "sev" }, t(sev)), " ",
    el("span", { class: "where" }, where), " ",
    el("span", { class: "rule" }, "[" + d.rule + "]")));
  if (typeof d.text === "string") {
    const chars = Array.from(d.text);
    const start = d.field_start, end = Math.max(d.field_end, start);
    const width = Math.max(chars.length, end, 120);
    const pad = (s, n) => s.length >= n ? s : s + "·".repeat(n - s.length);
    const before = chars.slice(0, start - 1).join("");
    const field = pad(chars.slice(start - 1, end).join(""), end - start + 1);
    const after = chars.slice(end).join("");
    const caret = " ".repeat(start - 1) + "^" + "~".repeat(end - start);
    const pre = el("pre", { class: "excerpt" },
      el("span", { class: "ruler" }, ruler(width) + "\n"),
      el("span", { class: "text" }, before, el("mark", { class: "field", "data-start": start, "data-end": end, title: d.field || "" }, field), after), "\n",
      el("span", { class: "caret" }, caret), " ",
      el("span", { class: "msg" }, d.message));
    item.append(pre);
  } else {
    item.append(el("p", { class: "msg" }, d.message));
  }
  return item;
}

function renderDiagnostics(rep) {
  const box = el("div", { class: "diagnostics" });
  const diags = rep.diagnostics || [];
  if (!diags.length) {
    box.append(el("p", { class: "none" }, t("noDiagnostic")));
    return box;
  }
  const rules = [...new Set(diags.map(d => d.rule))].sort();
  const ruleSel = el("select", { class: "filter-rule", "aria-label": t("allRules") }, el("option", { value: "" }, t("allRules")), ...rules.map(r => el("option", { value: r }, r)));
  const sevSel = el("select", { class: "filter-severity", "aria-label": t("allSeverities") },
    el("option", { value: "" }, t("allSeverities")), el("option", { value: "error" }, t("error")), el("option", { value: "warning" }, t("warning")));
  const list = el("ol", { class: "diag-list" });
  const pager = el("p", { class: "pager" });
  let page = 0;
  function draw() {
    const shown = diags.filter(d => (!ruleSel.value || d.rule === ruleSel.value) && (!sevSel.value || d.severity === sevSel.value));
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    list.replaceChildren(...shown.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map(renderDiagnostic));
    if (!shown.length) list.append(el("li", { class: "none" }, t("noMatch")));
    pager.replaceChildren();
    if (pages > 1) {
      pager.append(
        el("button", { type: "button", class: "prev", disabled: page === 0, onclick: () => { page--; draw(); } }, t("previous")), " ",
        el("span", { class: "page" }, t("page", { p: page + 1, n: pages }) + " · " + t("shown", { a: page * PAGE_SIZE + 1, b: Math.min((page + 1) * PAGE_SIZE, shown.length), n: shown.length })), " ",
        el("button", { type: "button", class: "next", disabled: page >= pages - 1, onclick: () => { page++; draw(); } }, t("next")));
    }
  }
  ruleSel.addEventListener("change", () => { page = 0; draw(); });
  sevSel.addEventListener("change", () => { page = 0; draw(); });
  box.append(el("p", { class: "filters" }, ruleSel, " ", sevSel), pager, list);
  if (rep.omitted) box.append(el("p", { class: "omitted" }, t("omitted", { n: rep.omitted })));
  draw();
  return box;
}

// ---- Statements ------------------------------------------------------

function renderStatements(rep) {
  const box = el("div", { class: "statements" });
  const accts = rep.accounts || [];
  const stmts = rep.statement_list || [];
  if (!stmts.length) {
    box.append(el("p", { class: "none" }, t("noStatement")));
    return box;
  }
  const th = (k, cls) => el("th", { class: cls }, t(k));
  box.append(el("h3", {}, t("accounts") + " (" + accts.length + ")"));
  box.append(el("table", { class: "accounts" },
    el("thead", {}, el("tr", {}, th("bank"), th("branch"), th("account"), th("iban"), th("currency"), th("statements", "num"))),
    el("tbody", {}, ...accts.map(a => el("tr", {},
      el("td", {}, a.bank), el("td", {}, a.branch), el("td", {}, a.account), el("td", { class: "mono" }, a.iban || "—"), el("td", {}, a.currency), el("td", { class: "num" }, a.statements))))));
  box.append(el("h3", {}, t("statements") + " (" + stmts.length + ")"));
  box.append(el("table", { class: "statement-table" },
    el("thead", {}, el("tr", {}, th("lines"), th("account"), th("from"), th("to"), th("opening", "num"), th("movements", "num"), th("debits", "num"), th("credits", "num"), th("closing", "num"), th("reconciles"))),
    el("tbody", {}, ...stmts.map(s => el("tr", { class: s.reconciles ? "" : "bad" },
      el("td", {}, s.line + "–" + (s.closing_line || "")),
      el("td", {}, s.account + " " + s.currency),
      el("td", {}, s.opening_date),
      el("td", {}, s.closing_date || t("open")),
      el("td", { class: "num" }, s.opening_balance),
      el("td", { class: "num" }, s.movement_count),
      el("td", { class: "num" }, s.total_debits),
      el("td", { class: "num" }, s.total_credits),
      el("td", { class: "num" }, s.closing_balance || "—"),
      el("td", { class: s.reconciles ? "ok" : "bad" }, s.reconciles ? t("yes") : t("no")))))));
  if (rep.statements_not_listed) box.append(el("p", { class: "omitted" }, t("notListed", { n: rep.statements_not_listed })));
  return box;
}

// ---- Repair ----------------------------------------------------------

function renderRepair(file) {
  const box = el("div", { class: "repair" });
  const out = el("div", { class: "repair-result" });
  const button = el("button", { type: "button", class: "repair-button primary" }, t("repairButton"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren(el("p", {}, t("working")));
    try {
      const resp = await api("/api/fmt", file, { report: "json" });
      if (resp.status === 422) {
        const j = await resp.json();
        out.replaceChildren(el("p", { class: "refused bad" }, t("repairRefused") + ": " + (j.refused ? j.refused.reason : j.message)),
          j.refused && j.refused.line ? el("p", { class: "where" }, t("line") + " " + j.refused.line + (j.refused.column ? ", " + t("column") + " " + j.refused.column : "")) : "");
        return;
      }
      if (!resp.ok) throw new Error(await errorText(resp));
      const rep = await resp.json();
      const parts = [];
      if (!rep.changed) parts.push(el("p", { class: "repair-summary" }, t(rep.validation && rep.validation.errors ? "repairNothingErrors" : "repairNothing")));
      else parts.push(el("p", { class: "repair-summary" }, t("repairDone", { what: "encoding " + rep.encoding + (rep.detected ? " (" + rep.detected + ")" : "") })));
      if (rep.repairs.length) parts.push(el("ul", { class: "repairs" }, ...rep.repairs.map(r => el("li", {}, r.count + " × " + r.repair))));
      if (rep.problems.length) parts.push(el("p", {}, t("repairNotRepaired") + ":"), el("ul", { class: "problems" }, ...rep.problems.map(p => el("li", {}, t("line") + " " + p.line + ", " + t("column") + " " + p.column + ": " + p.message))));
      if (rep.validation && (rep.validation.errors || rep.validation.warnings)) parts.push(el("p", { class: rep.validation.errors ? "bad" : "warn" }, t("repairRemaining", { e: rep.validation.errors, w: rep.validation.warnings })));
      if (rep.changed) {
        parts.push(el("button", { type: "button", class: "download-repaired primary", onclick: async () => {
          const r = await api("/api/fmt", file, {});
          if (!r.ok) { out.append(el("p", { class: "bad" }, await errorText(r))); return; }
          download(await r.blob(), (file.name || "repaired.txt"));
        } }, t("repairDownload")));
      }
      out.replaceChildren(...parts);
    } catch (e) {
      out.replaceChildren(el("p", { class: "bad" }, t("failed") + ": " + e.message));
    } finally {
      button.disabled = false;
    }
  });
  box.append(el("p", {}, t("repairIntro")), button, out);
  return box;
}

// ---- Export ----------------------------------------------------------

function renderExport(file) {
  const box = el("div", { class: "export" });
  const out = el("div", { class: "export-result" });
  const base = (file.name || "export").replace(/\.[^.]*$/, "");
  const formats = [
    ["exportCSV", { format: "csv" }, ".csv"],
    ["exportCSVFr", { format: "csv", columns: "fr" }, "-fr.csv"],
    ["exportJSON", { format: "json" }, ".json"],
    ["exportJSONL", { format: "jsonl" }, ".jsonl"],
  ];
  // Formats this server has beyond those (xlsx, ofx), from /api/formats.
  for (const f of EXTRA_FORMATS) {
    formats.push(["export" + f.toUpperCase(), { format: f }, "." + f]);
    if (f === "xlsx") formats.push(["exportXLSXFr", { format: "xlsx", columns: "fr" }, "-fr.xlsx"]);
  }
  const buttons = el("p", { class: "export-buttons" });
  for (const [label, params, ext] of formats) {
    buttons.append(el("button", { type: "button", class: "export-" + params.format + (params.columns ? "-" + params.columns : ""), onclick: async () => {
      out.replaceChildren(el("p", {}, t("working")));
      try {
        const resp = await api("/api/export", file, params);
        if (!resp.ok) {
          out.replaceChildren(el("p", { class: "bad" }, t("exportFailed") + ": " + await errorText(resp)));
          return;
        }
        download(await resp.blob(), base + ext);
        out.replaceChildren();
      } catch (e) {
        out.replaceChildren(el("p", { class: "bad" }, t("failed") + ": " + e.message));
      }
    } }, t(label)), " ");
  }
  box.append(el("p", {}, t("exportIntro")), buttons, out);
  return box;
}

// ---- Upload preview --------------------------------------------------

function renderUpload(file) {
  const box = el("div", { class: "upload" });
  const dossier = el("input", { type: "number", min: "1", value: "1", class: "dossier" });
  const env = el("select", { class: "env" }, el("option", { value: "prod" }, "prod"), el("option", { value: "staging" }, "staging"));
  const out = el("div", { class: "upload-result" });
  const button = el("button", { type: "button", class: "upload-button primary", onclick: async () => {
    out.replaceChildren(el("p", {}, t("working")));
    try {
      const resp = await api("/api/upload-preview", file, { dossier: dossier.value, env: env.value });
      if (!resp.ok) throw new Error(await errorText(resp));
      const j = await resp.json();
      out.replaceChildren(el("pre", { class: "decisions" + (j.invalid ? " bad" : "") }, j.lines.join("\n")),
        j.error ? el("p", { class: "bad" }, j.error) : "",
        el("p", {}, t("uploadCommand")), el("pre", { class: "command" }, j.command));
    } catch (e) {
      out.replaceChildren(el("p", { class: "bad" }, t("failed") + ": " + e.message));
    }
  } }, t("uploadButton"));
  box.append(el("p", {}, t("uploadIntro")),
    el("p", { class: "upload-form" }, el("label", {}, t("dossier") + " ", dossier), " ", el("label", {}, t("env") + " ", env), " ", button), out);
  return box;
}

// ---- Dropping and picking -------------------------------------------

async function entryFiles(entry, prefix) {
  if (entry.isFile) {
    const f = await new Promise((ok, ko) => entry.file(ok, ko));
    f.cfonbPath = prefix + f.name;
    return [f];
  }
  if (!entry.isDirectory) return [];
  const reader = entry.createReader();
  const out = [];
  for (;;) {
    const batch = await new Promise((ok, ko) => reader.readEntries(ok, ko));
    if (!batch.length) break;
    for (const e of batch) {
      if (e.name.startsWith(".")) continue;
      out.push(...await entryFiles(e, prefix + entry.name + "/"));
    }
  }
  return out.sort((a, b) => a.cfonbPath < b.cfonbPath ? -1 : 1);
}

// EXTRA_FORMATS are the export formats of /api/formats beyond the four
// the page always offers.
const EXTRA_FORMATS = [];

async function loadFormats() {
  try {
    const resp = await fetch("/api/formats");
    const j = await resp.json();
    for (const f of j.export) if (!["csv", "json", "jsonl"].includes(f)) EXTRA_FORMATS.push(f);
  } catch (e) {
    // The four formats are always there.
  }
}

async function setup() {
  translatePage();
  await loadFormats();
  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", e => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async e => {
    e.preventDefault();
    drop.classList.remove("over");
    const items = e.dataTransfer.items ? [...e.dataTransfer.items] : [];
    const entries = items.map(i => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (entries.length) {
      for (const en of entries) addFiles(await entryFiles(en, ""));
    } else {
      addFiles([...e.dataTransfer.files]);
    }
  });
  document.getElementById("pick-files").addEventListener("change", e => { addFiles([...e.target.files]); e.target.value = ""; });
  document.getElementById("pick-folder").addEventListener("change", e => {
    const files = [...e.target.files].filter(f => !f.webkitRelativePath.split("/").some(p => p.startsWith(".")));
    for (const f of files) f.cfonbPath = f.webkitRelativePath || f.name;
    files.sort((a, b) => a.cfonbPath < b.cfonbPath ? -1 : 1);
    addFiles(files);
    e.target.value = "";
  });
  document.body.dataset.ready = "true";
}

setup();
