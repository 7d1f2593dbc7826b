// What waits to be sent and what the server's answers do to it. Findings go in batches (one request for a whole
// checklist); the server answers each with its status and new row_version only (Prefer: return=minimal).

export const BATCH_SIZE = 500; // the server's limit

// Not on the server yet: changed answers, undecided conflicts and photos not fully sent.
export function isUnsentFinding(record) {
  return Boolean(record.dirty || record.conflict);
}

export function isUnsentPhoto(photo) {
  return !photo.complete;
}

export function dueFindings(records) {
  return [...records.values()].filter((record) => record.dirty && !record.conflict && !record.error);
}

export function batches(items, size = BATCH_SIZE) {
  const result = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

export function submission(record) {
  return {
    client_uuid: record.uuid,
    question: record.question,
    answer: record.answer,
    note: record.note.trim(),
    note_language: record.note_language,
    base_version: record.base_version,
    // Always said: false is the monitor's own answer, which ends an earlier "condition not met".
    condition_not_met: Boolean(record.condition_not_met),
  };
}

// Applies the server's results to the records sent (`sent`: client_uuid -> payload); returns the records changed.
// A record edited again while its batch travelled keeps its newer content and stays due.
export function applyResults(records, sent, results) {
  const changed = [];
  for (const result of results) {
    const record = records.get(result.question);
    const payload = sent.get(result.client_uuid);
    if (!record || !payload) {
      continue;
    }
    const stillCurrent = record.uuid === result.client_uuid;
    if (result.status === 200 || result.status === 201) {
      const { answer, note, note_language: noteLanguage } = payload;
      record.server = {
        answer,
        note,
        note_language: noteLanguage,
        condition_not_met: Boolean(payload.condition_not_met),
        row_version: result.row_version,
      };
      record.base_version = result.row_version;
      if (stillCurrent) {
        record.dirty = false;
        record.sentUuid = result.client_uuid;
      }
    } else if (result.status === 409) {
      record.conflict = result.conflict;
      if (stillCurrent) {
        record.dirty = false;
      }
    } else if (stillCurrent) {
      record.error = result.message;
    }
    changed.push(record);
  }
  return changed;
}

// The server's findings (a fresh package) into the tablet's records: a record with nothing unsent takes the
// server's answer (perhaps a colleague's); one with unsent work keeps it. Returns the records changed.
export function mergeServerFindings(records, fresh, ref) {
  const merged = [];
  for (const [question, server] of Object.entries(fresh.findings)) {
    const record = records.get(question);
    if (!record || (!record.dirty && !record.conflict)) {
      const current = {
        ...(record || { ref, question }),
        uuid: null, // the next edit here is a new submission with its own identity
        answer: server.answer,
        note: server.note,
        note_language: server.note_language,
        condition_not_met: Boolean(server.condition_not_met),
        base_version: server.row_version,
        server,
        dirty: false,
        dispatched: false,
        error: null,
      };
      records.set(question, current);
      merged.push(current);
    }
  }
  for (const conflict of fresh.open_conflicts) {
    const record = records.get(conflict.question);
    if (record && !record.conflict) {
      record.conflict = conflict;
      if (!merged.includes(record)) {
        merged.push(record);
      }
    }
  }
  return merged;
}
