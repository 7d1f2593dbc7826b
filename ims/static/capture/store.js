// IndexedDB storage of the capture screen. One database per signed-in user, so colleagues sharing a tablet never
// mix their work; every write waits for a strict commit before it counts.

import { isUnsentFinding, isUnsentPhoto } from "./sync-queue.js";

const SCHEMA_VERSION = 2;

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function databaseName(userId) {
  return `ims-capture-${userId}`;
}

class Store {
  constructor(db) {
    this.db = db;
  }

  run(storeNames, mode, work) {
    // Resolves once the transaction committed, with what work() returned.
    return new Promise((resolve, reject) => {
      const options = mode === "readwrite" ? { durability: "strict" } : undefined;
      const transaction = this.db.transaction(storeNames, mode, options);
      let result;
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error || new Error("aborted"));
      Promise.resolve(work(transaction)).then((value) => {
        result = value;
      }, reject);
    });
  }

  get(storeName, key) {
    return this.run([storeName], "readonly", (tx) => done(tx.objectStore(storeName).get(key)));
  }

  put(storeName, value) {
    return this.putAll(storeName, [value]);
  }

  putAll(storeName, values) {
    return this.run([storeName], "readwrite", (tx) => {
      const store = tx.objectStore(storeName);
      values.forEach((value) => store.put(value));
    });
  }

  byRef(storeName, ref) {
    return this.run([storeName], "readonly", (tx) =>
      done(tx.objectStore(storeName).index("ref").getAll(IDBKeyRange.only(ref))),
    );
  }

  all(storeName) {
    return this.run([storeName], "readonly", (tx) => done(tx.objectStore(storeName).getAll()));
  }

  removeAssessment(ref) {
    const names = ["packages", "findings", "photos", "meta"];
    return this.run(names, "readwrite", (tx) => {
      tx.objectStore("packages").delete(ref);
      tx.objectStore("meta").delete(ref);
      for (const name of ["findings", "photos"]) {
        const cursor = tx.objectStore(name).index("ref").openKeyCursor(IDBKeyRange.only(ref));
        cursor.onsuccess = () => {
          if (cursor.result) {
            tx.objectStore(name).delete(cursor.result.primaryKey);
            cursor.result.continue();
          }
        };
      }
    });
  }
}

export function open(userId) {
  const request = indexedDB.open(databaseName(userId), SCHEMA_VERSION);
  request.onupgradeneeded = (event) => {
    const db = request.result;
    if (event.oldVersion < 1) {
      db.createObjectStore("packages", { keyPath: "ref" });
      db.createObjectStore("meta", { keyPath: "ref" });
      db.createObjectStore("findings", { keyPath: ["ref", "question"] }).createIndex("ref", "ref");
      db.createObjectStore("photos", { keyPath: "uuid" }).createIndex("ref", "ref");
    }
    if (event.oldVersion < 2) {
      // Checklist files by address, shared by every assessment of that checklist version (kept when one is removed).
      db.createObjectStore("checklists", { keyPath: "url" });
    }
  };
  return done(request).then((db) => new Store(db));
}

export async function exists(userId) {
  if (!indexedDB.databases) {
    return true;
  }
  const databases = await indexedDB.databases();
  return databases.some((db) => db.name === databaseName(userId));
}

export async function unsentCount(store, ref) {
  const findings = ref ? await store.byRef("findings", ref) : await store.all("findings");
  const photos = ref ? await store.byRef("photos", ref) : await store.all("photos");
  return findings.filter(isUnsentFinding).length + photos.filter(isUnsentPhoto).length;
}
