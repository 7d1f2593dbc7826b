// Applicability conditions ("only if workers aged 15-17 are employed"): when one is not met, every question it
// governs is answered "not applicable: condition not met" at once.

import { NOT_APPLICABLE } from "./answers.js";

export const CONDITION_NOT_MET = Object.freeze({ answer: NOT_APPLICABLE, condition_not_met: true });

// condition code -> the codes of its questions, in checklist order.
export function conditionQuestions(checklist) {
  const groups = new Map();
  for (const cluster of checklist.clusters) {
    for (const point of cluster.compliance_points) {
      for (const question of point.questions) {
        if (question.applies_if) {
          if (!groups.has(question.applies_if)) {
            groups.set(question.applies_if, []);
          }
          groups.get(question.applies_if).push(question.code);
        }
      }
    }
  }
  return groups;
}

export function isConditionNotMet(record) {
  return Boolean(record && record.answer === NOT_APPLICABLE && record.condition_not_met);
}

// What marking a condition not met changes: the questions not already so (`change`), and among them those
// holding another answer the monitor gave (`overwrites`), to ask about first.
export function notMetChanges(codes, records) {
  const change = codes.filter((code) => !isConditionNotMet(records.get(code)));
  const overwrites = change.filter((code) => Boolean(records.get(code) && records.get(code).answer));
  return { change, overwrites };
}
