// The capture screen, one client online and offline. It keeps the assessment's package and the checklist file in
// IndexedDB and caches this page for the service worker; every answer, note and photo is written to IndexedDB at
// once (surviving a reload or a closed tab) and sent to the server whenever it can be: a moment after each change,
// when the network returns, and on "Sync now".

import { api, ApiError, describeError } from "./api.js";
import { applyEdit, newRecord, progress } from "./answers.js";
import { buildCard, showRecord, showTexts } from "./cards.js";
import { CONDITION_NOT_MET, conditionQuestions, notMetChanges } from "./conditions.js";
import { element } from "./dom.js";
import { nextUnanswered, questionOrder, visibleCodes } from "./navigation.js";
import { PHOTO_LONGEST_SIDE, THUMBNAIL_LONGEST_SIDE, resize, sha256, upload } from "./photos.js";
import * as CaptureStore from "./store.js";
import { applyResults, batches, dueFindings, isUnsentFinding, isUnsentPhoto, mergeServerFindings, submission } from "./sync-queue.js";
import { format, inLanguage } from "./text.js";

const root = document.getElementById("offline-capture");
const config = JSON.parse(document.getElementById("capture-config").textContent);
const strings = config.strings;
const ref = config.ref;
const CACHE_NAME = "ims-capture-v1";
const CHUNK_BYTES = Number(root.dataset.chunkBytes) || 256 * 1024;
const PHOTO_UPLOADS = 2; // at once, so one photo's round trips overlap another's bytes
const SYNC_DELAY_MS = 1500;

let store;
let pkg; // this assessment's package
let checklist; // the checklist file it names
let checklistUrl; // and that file's address
let order = []; // every question in checklist order, with its cluster
let conditions = new Map(); // condition code -> its questions' codes
const records = new Map(); // question code -> local finding record
const photos = new Map(); // photo uuid -> local photo record
const cards = new Map(); // question code -> card parts
const thumbnailUrls = new Map(); // photo uuid -> object URL of its thumbnail, made once
let textLanguage = config.language;
let currentCluster = null;
let onlyUnanswered = false;
const answeredWhileFiltered = new Set();
let syncing = false;
let syncAgain = false;
let syncTimer = null;

const screen = {
  strings,
  language: config.language,
  get pkg() {
    return pkg;
  },
  get conditions() {
    return conditions;
  },
  get conditionLabels() {
    return Object.fromEntries(Object.entries(checklist.conditions || {}).map(([code, item]) => [code, item.label]));
  },
  evidenceUrl: (id) => config.urls.evidence.replace(/\/0\/$/, `/${id}/`),
  thumbnailUrl(photo) {
    if (!thumbnailUrls.has(photo.uuid)) {
      thumbnailUrls.set(photo.uuid, URL.createObjectURL(photo.thumbnail));
    }
    return thumbnailUrls.get(photo.uuid);
  },
  actions: {
    edit: (code, changes) => edit(code, changes),
    note: (code, text) => (records.get(code) ? records.get(code).note : "") !== text && edit(code, { note: text }),
    conditionNotMet: (condition) => markConditionNotMet(condition),
    addPhoto: (code, file) => addPhoto(code, file),
    keepMine: (code) => keepMine(code),
    takeTheirs: (code) => takeTheirs(code),
  },
};

// --- package and local state --------------------------------------------------------------------------------

async function loadChecklist(known, { offline = false } = {}) {
  // From the tablet when it is there, else from the network (unless offline).
  const stored = await store.get("checklists", known.checklist.url);
  if (stored) {
    return stored.content;
  }
  return offline ? null : downloadChecklist(known.checklist.url);
}

async function downloadChecklist(url) {
  const content = await api("GET", url);
  delete content.etag;
  await store.put("checklists", { url, content });
  return content;
}

async function downloadPackage() {
  // The package asks If-None-Match with the copy on the tablet: unchanged, it costs a few hundred bytes.
  // A tablet without the checklist starts on it at once, from the address the page gave.
  const meta = (await store.get("meta", ref)) || { ref };
  const early = (await store.get("checklists", config.urls.checklist)) ? null : downloadChecklist(config.urls.checklist);
  early?.catch(() => undefined); // awaited below when needed, where a failure counts
  const conditional = pkg && meta.packageEtag ? { "If-None-Match": meta.packageEtag } : {};
  const fresh = await api("GET", config.urls.package, undefined, conditional);
  if (fresh) {
    fresh.ref = ref;
    meta.packageEtag = fresh.etag;
    delete fresh.etag;
    await store.putAll("findings", mergeServerFindings(records, fresh, ref));
    await store.put("packages", fresh);
    pkg = fresh;
  }
  const wanted = pkg.checklist.url;
  const changes = { package: Boolean(fresh), checklist: !checklist || wanted !== checklistUrl };
  if (changes.checklist) {
    checklist = early && wanted === config.urls.checklist ? await early : await loadChecklist(pkg);
    checklistUrl = wanted;
  }
  await store.put("meta", { ...meta, downloadedAt: new Date().toISOString() });
  return changes;
}

async function cacheThisPage() {
  // The service worker answers from this cache when the network is gone: this page, its files and the font
  // slices it showed. Only what is missing is fetched, so reopening the screen costs nothing here.
  if (!window.caches) {
    return;
  }
  const assets = [
    ...document.querySelectorAll('link[rel="stylesheet"], link[rel="preload"], link[rel="modulepreload"], script[src], link[rel="icon"]'),
  ].map((node) => node.href || node.src);
  const fonts = performance
    .getEntriesByType("resource")
    .map((entry) => entry.name)
    .filter((url) => url.endsWith(".woff2"));
  const cache = await caches.open(CACHE_NAME);
  const missing = [];
  for (const url of new Set([location.pathname, config.urls.manifest, ...assets, ...fonts])) {
    if (!(await cache.match(url))) {
      missing.push(url);
    }
  }
  await cache.addAll(missing);
}

async function registerServiceWorker() {
  if (!navigator.serviceWorker) {
    return;
  }
  await navigator.serviceWorker.register(config.urls.serviceWorker, { scope: "/" });
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
  }
  root.dataset.serviceWorker = "ready";
}

async function loadLocal() {
  for (const record of await store.byRef("findings", ref)) {
    records.set(record.question, record);
  }
  for (const photo of await store.byRef("photos", ref)) {
    photos.set(photo.uuid, photo);
  }
}

function editableCluster(code) {
  return pkg.assessment.editable_clusters.includes(code);
}

// --- rendering --------------------------------------------------------------------------------------------

function renderProfile() {
  const factory = pkg.factory;
  root.querySelector('[data-bind="factory-name"]').textContent = inLanguage(factory.names, config.language).text;
  const profile = root.querySelector(".factory-profile");
  const place = [inLanguage(factory.province, config.language).text, inLanguage(factory.district, config.language).text]
    .filter(Boolean)
    .join(", ");
  const list = profile.querySelector("dl") || profile.appendChild(element("dl"));
  list.replaceChildren();
  const sector = inLanguage(factory.sector, config.language).text;
  for (const value of [factory.ref, place, factory.address, sector, factory.registration_no]) {
    if (value) {
      list.append(element("dd", { text: value }));
    }
  }
  if (factory.workforce) {
    const { total, women, as_of: date } = factory.workforce;
    list.append(element("dd", { text: format(strings.workforce, { total, women, date }) }));
  }
  profile.hidden = false;
}

function renderLanguagePicker() {
  const picker = root.querySelector("#text-language");
  picker.classList.add("language-names");
  picker.replaceChildren(
    ...pkg.languages.map((language) => element("option", { value: language.code, lang: language.code, text: language.name })),
  );
  picker.value = textLanguage;
}

function renderClusters() {
  const tabs = root.querySelector("#cluster-tabs");
  const container = root.querySelector("#questions");
  tabs.replaceChildren();
  container.replaceChildren();
  cards.clear();
  order = questionOrder(checklist);
  conditions = conditionQuestions(checklist);
  for (const cluster of checklist.clusters) {
    const editable = editableCluster(cluster.code);
    const section = element("section", { class: "capture-cluster", "data-cluster": cluster.code });
    section.append(element("h2", { "data-text": "cluster", "data-code": cluster.code }));
    if (!editable) {
      const text = pkg.assessment.editable_clusters.length ? strings.readOnly : strings.notEditable;
      section.append(element("p", { class: "message", role: "note", text }));
    }
    for (const point of cluster.compliance_points) {
      const group = element("div", { class: "capture-point", "data-point": point.code }, [
        element("h3", { "data-text": "point", "data-code": point.code }),
      ]);
      for (const question of point.questions) {
        const parts = buildCard(question, editable, screen);
        cards.set(question.code, parts);
        group.append(parts.card);
        updateCard(question.code);
      }
      section.append(group);
    }
    container.append(section);
    const tab = element("button", { type: "button", class: "cluster-tab", "data-cluster": cluster.code }, [
      element("strong", { text: cluster.code }),
      element("span", { "data-progress": cluster.code }),
    ]);
    tab.addEventListener("click", () => showCluster(cluster.code));
    tabs.append(element("li", {}, [tab]));
  }
  renderTexts();
  showCluster(currentCluster || startingCluster());
}

function startingCluster() {
  const wanted = new URLSearchParams(location.search).get("cluster");
  const fromHash = order.find((item) => `#q-${item.code}` === decodeURIComponent(location.hash));
  const codes = checklist.clusters.map((cluster) => cluster.code);
  return (fromHash && fromHash.cluster) || (codes.includes(wanted) ? wanted : codes[0]);
}

function showCluster(code) {
  currentCluster = code;
  answeredWhileFiltered.clear();
  root.querySelectorAll(".capture-cluster").forEach((section) => {
    section.hidden = section.dataset.cluster !== code;
  });
  root.querySelectorAll(".cluster-tab").forEach((tab) => {
    tab.setAttribute("aria-pressed", tab.dataset.cluster === code ? "true" : "false");
  });
  applyFilter();
}

function answered(code) {
  const record = records.get(code);
  return Boolean(record && record.answer);
}

function applyFilter() {
  const shown = visibleCodes(order, currentCluster, { onlyUnanswered, isAnswered: answered, keep: answeredWhileFiltered });
  for (const item of order) {
    if (item.cluster === currentCluster) {
      cards.get(item.code).card.hidden = !shown.has(item.code);
    }
  }
  root.querySelectorAll(`.capture-cluster[data-cluster="${currentCluster}"] .capture-point`).forEach((group) => {
    group.hidden = !group.querySelector(".capture-card:not([hidden])");
  });
  const button = root.querySelector("#only-unanswered");
  button.setAttribute("aria-pressed", String(onlyUnanswered));
  button.textContent = onlyUnanswered ? strings.showEvery : strings.showUnanswered;
  const none = root.querySelector('[data-bind="all-answered"]');
  none.hidden = !(onlyUnanswered && shown.size === 0);
}

function goToNextUnanswered() {
  // After the card the monitor is on, else from the start of the cluster shown.
  const focused = document.activeElement && document.activeElement.closest(".capture-card");
  const first = order.findIndex((item) => item.cluster === currentCluster);
  const after = focused ? focused.dataset.question : order[(first - 1 + order.length) % order.length].code;
  const next = nextUnanswered(order, answered, after);
  const message = root.querySelector('[data-bind="all-answered"]');
  message.hidden = next !== null;
  if (!next) {
    return;
  }
  if (next.cluster !== currentCluster) {
    showCluster(next.cluster);
  }
  const card = cards.get(next.code).card;
  card.hidden = false;
  card.closest(".capture-point").hidden = false;
  card.scrollIntoView({ block: "start" });
  card.querySelector("button.answer").focus({ preventScroll: true });
  root.dataset.current = next.code;
}

function renderTexts() {
  const clusters = new Map(checklist.clusters.map((cluster) => [cluster.code, cluster]));
  const points = new Map();
  checklist.clusters.forEach((cluster) => cluster.compliance_points.forEach((point) => points.set(point.code, point)));
  root.querySelectorAll("[data-text]").forEach((node) => {
    const owner = node.dataset.text === "cluster" ? clusters.get(node.dataset.code) : points.get(node.dataset.code);
    const name = inLanguage(owner.name, textLanguage);
    node.textContent = `${node.dataset.code} · ${name.text}`;
    node.lang = name.lang;
  });
  cards.forEach((parts) => showTexts(parts, textLanguage, screen));
}

function updateCard(code) {
  const questionPhotos = [...photos.values()].filter((photo) => photo.question === code);
  showRecord(cards.get(code), records.get(code), questionPhotos, screen);
}

function renderProgress() {
  const counts = progress(checklist, records);
  for (const [code, cluster] of Object.entries(counts.clusters)) {
    root.querySelector(`[data-progress="${code}"]`).textContent = ` ${cluster.answered}/${cluster.total}`;
  }
  const summary = root.querySelector('[data-progress="all"]');
  summary.textContent = format(strings.answered, { answered: counts.answered, total: counts.total });
  summary.dataset.answered = counts.answered;
}

// --- editing ----------------------------------------------------------------------------------------------

function recordOf(code) {
  if (!records.has(code)) {
    records.set(code, newRecord(ref, code, config.language));
  }
  return records.get(code);
}

const identity = () => ({ newUuid: () => crypto.randomUUID(), now: new Date().toISOString() });

async function edit(code, changes) {
  const record = recordOf(code);
  if (!applyEdit(record, changes, identity())) {
    updateCard(code);
    return;
  }
  if (onlyUnanswered) {
    answeredWhileFiltered.add(code);
  }
  await store.put("findings", record);
  afterEdits([code]);
}

async function markConditionNotMet(condition) {
  const { change, overwrites } = notMetChanges(conditions.get(condition), records);
  if (overwrites.length && !window.confirm(format(strings.conditionOverwrite, { count: overwrites.length }))) {
    return;
  }
  const changed = change.filter((code) => editableCluster(order.find((item) => item.code === code).cluster));
  const now = identity();
  changed.forEach((code) => applyEdit(recordOf(code), { ...CONDITION_NOT_MET }, now));
  await store.putAll("findings", changed.map((code) => records.get(code)));
  afterEdits(changed);
}

function afterEdits(codes) {
  codes.forEach(updateCard);
  renderProgress();
  refreshStatus();
  scheduleSync();
}

async function keepMine(code) {
  const record = records.get(code);
  const server = record.conflict.server || {};
  Object.assign(record, {
    base_version: server.row_version || null,
    conflict: null,
    uuid: crypto.randomUUID(),
    dispatched: false,
    dirty: true,
  });
  await store.put("findings", record);
  updateCard(code);
  refreshStatus();
  sync();
}

async function takeTheirs(code) {
  const record = records.get(code);
  const conflict = record.conflict;
  try {
    await api("POST", config.urls.resolve.replace("/0/", `/${conflict.id}/`), { resolution: "theirs" });
  } catch (error) {
    showError(describeError(error, strings));
    return;
  }
  const server = conflict.server || {};
  Object.assign(record, {
    answer: server.answer || record.answer,
    note: server.note || "",
    note_language: server.note_language || record.note_language,
    condition_not_met: Boolean(server.condition_not_met),
    base_version: server.row_version || record.base_version,
    server,
    conflict: null,
    dirty: false,
  });
  await store.put("findings", record);
  updateCard(code);
  renderProgress();
  refreshStatus();
}

async function addPhoto(code, file) {
  const parts = cards.get(code);
  if (!answered(code)) {
    parts.state.textContent = strings.needsAnswer;
    parts.state.dataset.state = "error";
    return;
  }
  let blob;
  let thumbnail;
  try {
    blob = await resize(file, PHOTO_LONGEST_SIDE);
    thumbnail = await resize(file, THUMBNAIL_LONGEST_SIDE);
  } catch {
    parts.state.textContent = strings.photoFailed;
    parts.state.dataset.state = "error";
    return;
  }
  const photo = {
    uuid: crypto.randomUUID(),
    ref,
    question: code,
    blob,
    thumbnail,
    size: blob.size,
    sha256: await sha256(blob),
    complete: false,
    error: null,
    addedAt: new Date().toISOString(),
  };
  await store.put("photos", photo);
  photos.set(photo.uuid, photo);
  updateCard(code);
  refreshStatus();
  scheduleSync();
}

// --- sync -------------------------------------------------------------------------------------------------

function scheduleSync() {
  clearTimeout(syncTimer);
  if (navigator.onLine) {
    syncTimer = setTimeout(sync, SYNC_DELAY_MS);
  }
}

async function sendFindings() {
  for (const batch of batches(dueFindings(records))) {
    batch.forEach((record) => {
      record.dispatched = true;
    });
    await store.putAll("findings", batch);
    const sent = new Map(batch.map((record) => [record.uuid, submission(record)]));
    // The tablet keeps what it sent: the server answers each with its status and new row_version only.
    const response = await api("POST", config.urls.findings, { findings: [...sent.values()] }, {
      Prefer: "return=minimal",
    });
    const changed = applyResults(records, sent, response.results);
    await store.putAll("findings", changed);
    changed.forEach((record) => updateCard(record.question));
  }
}

async function sendPhoto(photo) {
  try {
    photo.evidence = await upload(photo, config.urls, CHUNK_BYTES);
    photo.complete = true;
    delete photo.blob; // the server holds it now; the thumbnail stays for the card
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401 || error.status >= 500) {
      throw error; // no connection, signed out or the server's own trouble: the next sync tries again
    }
    photo.error = format(strings.error, { message: error.message });
  }
  await store.put("photos", photo);
  updateCard(photo.question);
}

async function sendPhotos() {
  const queue = [...photos.values()].filter((photo) => !photo.complete && !photo.error);
  const lane = async () => {
    while (queue.length) {
      await sendPhoto(queue.shift());
    }
  };
  // Every lane runs to its end before a failure is reported, so no upload is left running behind the sync.
  const lanes = await Promise.allSettled(Array.from({ length: PHOTO_UPLOADS }, lane));
  const failed = lanes.find((outcome) => outcome.status === "rejected");
  if (failed) {
    throw failed.reason;
  }
}

async function confirmWithServer() {
  const check = await api("POST", config.urls.syncCheck, {
    findings: [...records.values()].filter((record) => record.sentUuid).map((record) => record.sentUuid),
    photos: [...photos.values()].filter((photo) => photo.complete).map((photo) => photo.uuid),
  });
  if (!check.complete) {
    throw new Error(strings.serverIncomplete);
  }
}

async function sync() {
  clearTimeout(syncTimer);
  if (syncing) {
    syncAgain = true;
    return;
  }
  if (!navigator.onLine) {
    refreshStatus();
    return;
  }
  syncing = true;
  root.dataset.sync = "syncing";
  refreshStatus();
  const meta = (await store.get("meta", ref)) || { ref };
  try {
    await sendFindings();
    await sendPhotos();
    await confirmWithServer();
    meta.lastSync = new Date().toISOString();
    meta.lastError = null;
  } catch (error) {
    meta.lastError = error instanceof ApiError || error instanceof TypeError ? describeError(error, strings) : error.message;
  }
  await store.put("meta", meta);
  syncing = false;
  root.dataset.sync = meta.lastError ? "failed" : "done";
  refreshStatus();
  renderProgress();
  if (syncAgain) {
    syncAgain = false;
    scheduleSync();
  }
}

// --- status -----------------------------------------------------------------------------------------------

function showError(message) {
  const box = root.querySelector('[data-sync="error"]');
  box.textContent = message || "";
  box.hidden = !message;
}

async function refreshStatus() {
  const unsent = [...records.values()].filter(isUnsentFinding).length;
  const photosUnsent = [...photos.values()].filter(isUnsentPhoto).length;
  const conflicts = [...records.values()].filter((record) => record.conflict).length;
  const pending = unsent + photosUnsent;
  const meta = (await store.get("meta", ref)) || {};
  const pendingNode = root.querySelector('[data-sync="pending"]');
  pendingNode.dataset.count = pending;
  pendingNode.textContent = format(strings.pending, { count: pending });
  root.querySelector('[data-sync="network"]').textContent = navigator.onLine ? strings.online : strings.offline;
  root.dataset.network = navigator.onLine ? "online" : "offline";
  const last = root.querySelector('[data-sync="last"]');
  last.textContent = format(strings.lastSync, {
    time: meta.lastSync ? new Date(meta.lastSync).toLocaleString(config.language) : strings.never,
  });
  last.dataset.time = meta.lastSync || "";
  const conflictNode = root.querySelector('[data-sync="conflicts"]');
  conflictNode.hidden = !conflicts;
  conflictNode.dataset.count = conflicts;
  conflictNode.textContent = format(strings.conflicts, { count: conflicts });
  if (syncing) {
    showError("");
    root.querySelector('[data-sync="progress"]').textContent = strings.syncing;
  } else {
    showError(meta.lastError ? format(strings.syncFailed, { message: meta.lastError }) : "");
    root.querySelector('[data-sync="progress"]').textContent =
      meta.lastSync && !pending && !meta.lastError ? strings.syncDone : "";
  }
  root.dataset.pending = pending;
}

// --- leaving safely ---------------------------------------------------------------------------------------

async function removeFromTablet() {
  const count = await CaptureStore.unsentCount(store, ref);
  if (count && !window.confirm(format(strings.removeWarning, { count }))) {
    return;
  }
  await store.removeAssessment(ref);
  records.clear();
  photos.clear();
  root.querySelector("#questions").replaceChildren(element("p", { class: "message", text: strings.removed }));
  root.dataset.state = "removed";
  refreshStatus();
}

// --- start ------------------------------------------------------------------------------------------------

async function show() {
  renderProfile();
  renderLanguagePicker();
  renderClusters();
  renderProgress();
  await refreshStatus();
  root.dataset.state = "ready";
  const target = location.hash.startsWith("#q-") ? cards.get(decodeURIComponent(location.hash.slice(3))) : null;
  target?.card.scrollIntoView({ block: "start" });
}

async function showDownloadTime() {
  const meta = (await store.get("meta", ref)) || {};
  root.querySelector('[data-bind="loading"]').textContent = format(strings.downloaded, {
    time: new Date(meta.downloadedAt).toLocaleString(config.language),
  });
}

async function refresh() {
  // Online: the package again (mostly a 304), and the checklist file if the tablet does not have it yet.
  if (root.dataset.state !== "ready") {
    root.querySelector('[data-bind="loading"]').textContent = strings.downloading;
  }
  try {
    const changes = await downloadPackage();
    if (root.dataset.state !== "ready" || changes.checklist) {
      await show();
    } else if (changes.package) {
      renderProfile();
      cards.forEach((_parts, code) => updateCard(code));
      renderProgress();
      await refreshStatus();
    }
    root.dataset.package = "current";
  } catch (error) {
    showError(describeError(error, strings));
  }
}

function listen() {
  root.querySelector("#sync-now").addEventListener("click", () => sync());
  root.querySelector("#remove-from-tablet").addEventListener("click", removeFromTablet);
  root.querySelector("#next-unanswered").addEventListener("click", goToNextUnanswered);
  root.querySelector("#only-unanswered").addEventListener("click", () => {
    onlyUnanswered = !onlyUnanswered;
    answeredWhileFiltered.clear();
    applyFilter();
  });
  const picker = root.querySelector("#text-language");
  picker.addEventListener("change", () => {
    textLanguage = picker.value;
    renderTexts();
  });
  window.addEventListener("online", () => {
    refreshStatus();
    sync();
  });
  window.addEventListener("offline", refreshStatus);
  setInterval(() => Number(root.dataset.pending) && sync(), 60_000);
}

async function start() {
  store = await CaptureStore.open(config.user);
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist(); // ask the browser never to evict captured work under storage pressure
  }
  [pkg] = await Promise.all([store.get("packages", ref), loadLocal()]);
  if (pkg && pkg.format !== config.packageFormat) {
    pkg = null; // kept by an earlier version of this screen: downloaded again (the unsent work stays and merges)
  }
  if (pkg) {
    checklist = await loadChecklist(pkg, { offline: true });
    checklistUrl = pkg.checklist.url;
  }
  listen();
  if (checklist) {
    await show(); // what the tablet holds, at once; the network only brings what changed
    await showDownloadTime();
  }
  if (navigator.onLine) {
    await refresh();
  }
  if (root.dataset.state !== "ready") {
    root.querySelector('[data-bind="loading"]').textContent = strings.downloadFailed;
    root.dataset.state = "unavailable";
    return;
  }
  await showDownloadTime();
  if (navigator.onLine) {
    await Promise.all([registerServiceWorker(), cacheThisPage()]).catch((error) => showError(error.message));
    root.dataset.offlineReady = "true";
    sync();
  }
}

if (window.indexedDB) {
  start().catch((error) => {
    root.dataset.state = "failed";
    showError(error.message);
  });
}
