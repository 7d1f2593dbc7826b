// A small checklist file as the capture screen downloads it: two clusters, one condition governing two questions
// in different clusters.

const texts = (en) => ({ en, km: "", "zh-hans": "" });

export const CHECKLIST = {
  code: "T.1",
  conditions: { "young-workers": { label: texts("Only if workers aged 15-17 are employed") } },
  clusters: [
    {
      code: "CL",
      name: texts("Child labour"),
      compliance_points: [
        {
          code: "CL.1",
          name: texts("Age"),
          questions: [
            { code: "CL.1.1", noncompliant_answer: "yes", applies_if: null },
            { code: "CL.1.2", noncompliant_answer: "no", applies_if: "young-workers" },
          ],
        },
        { code: "CL.2", name: texts("Hours"), questions: [{ code: "CL.2.1", noncompliant_answer: "no", applies_if: null }] },
      ],
    },
    {
      code: "OS",
      name: texts("Safety"),
      compliance_points: [
        {
          code: "OS.1",
          name: texts("Fire"),
          questions: [
            { code: "OS.1.1", noncompliant_answer: "no", applies_if: null },
            { code: "OS.1.2", noncompliant_answer: "yes", applies_if: "young-workers" },
          ],
        },
      ],
    },
  ],
};

export const ANSWERS = ["compliant", "non_compliant", "not_applicable", "not_assessed"];

export const STRINGS = {
  yes: "Yes",
  no: "No",
  nonCompliantMark: "non-compliant",
  answers: {
    compliant: "Compliant",
    non_compliant: "Non-compliant",
    not_applicable: "Not applicable",
    not_assessed: "Not assessed",
  },
};
