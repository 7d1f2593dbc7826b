// A question's answers and the state of the monitor's answer to it (a record kept on the tablet until sent).

export const NOT_APPLICABLE = "not_applicable";
const NON_COMPLIANT = "non_compliant";

// The answer buttons, worded as the question asks (Yes or No), the non-compliant one marked.
export function answerChoices(question, answers, strings) {
  const [compliant, noncompliant] =
    question.noncompliant_answer === "yes" ? [strings.no, strings.yes] : [strings.yes, strings.no];
  const words = { compliant, [NON_COMPLIANT]: noncompliant };
  return answers.map((value) => ({
    value,
    label: words[value] || strings.answers[value] || value,
    marked: value === NON_COMPLIANT,
  }));
}

// One line for an answer outside its buttons (last visit, a conflict): "Yes (non-compliant)".
export function answerText(question, value, answers, strings) {
  const choice = answerChoices(question, answers, strings).find((item) => item.value === value);
  if (!choice) {
    return value || "";
  }
  return choice.marked ? `${choice.label} (${strings.nonCompliantMark})` : choice.label;
}

export function newRecord(ref, question, language) {
  return {
    ref,
    question,
    answer: "",
    note: "",
    note_language: language,
    condition_not_met: false,
    base_version: null,
    uuid: null,
    server: null,
    conflict: null,
  };
}

// Applies a change to a record; true when the record is now waiting to be sent. An answer chosen by hand is the
// monitor's own judgement, no longer "condition not met"; a note alone leaves that as it was.
export function applyEdit(record, changes, { newUuid, now }) {
  Object.assign(record, changes);
  if ("answer" in changes && !("condition_not_met" in changes)) {
    record.condition_not_met = false;
  }
  if (!record.answer) {
    return false; // a note without an answer waits on the card: findings need an answer
  }
  if (!record.uuid || record.dispatched) {
    // A change after sending is a new submission; the one sent keeps its identity and content.
    record.uuid = newUuid();
    record.dispatched = false;
  }
  record.dirty = true;
  record.error = null;
  record.changedAt = now;
  return true;
}

export function isAnswered(record) {
  return Boolean(record && record.answer);
}

// What the card says about its answer: empty, conflict, error, local (on the tablet only) or synced.
export function findingState(record) {
  if (!record) {
    return "empty";
  }
  if (record.conflict) {
    return "conflict";
  }
  if (record.error) {
    return "error";
  }
  if (record.dirty) {
    return "local";
  }
  return record.answer ? "synced" : "empty";
}

// Answered questions per cluster and in all.
export function progress(checklist, records) {
  const clusters = {};
  let answered = 0;
  let total = 0;
  for (const cluster of checklist.clusters) {
    const counts = { answered: 0, total: 0 };
    for (const point of cluster.compliance_points) {
      for (const question of point.questions) {
        counts.total += 1;
        counts.answered += isAnswered(records.get(question.code)) ? 1 : 0;
      }
    }
    clusters[cluster.code] = counts;
    answered += counts.answered;
    total += counts.total;
  }
  return { answered, total, clusters };
}
