// Moving through a long checklist: the questions in order, the next one without an answer, only those.

export function questionOrder(checklist) {
  const order = [];
  for (const cluster of checklist.clusters) {
    for (const point of cluster.compliance_points) {
      for (const question of point.questions) {
        order.push({ code: question.code, cluster: cluster.code });
      }
    }
  }
  return order;
}

// The first unanswered question after `after` (a code, or null for the start), going round to the beginning;
// null when every question has an answer.
export function nextUnanswered(order, isAnswered, after = null) {
  const start = after === null ? 0 : order.findIndex((item) => item.code === after) + 1;
  for (let step = 0; step < order.length; step += 1) {
    const item = order[(start + step) % order.length];
    if (!isAnswered(item.code)) {
      return item;
    }
  }
  return null;
}

// The codes of a cluster's questions to show: all of them, or the unanswered ones plus those in `keep`
// (answered since the view was chosen, so a card does not vanish under the monitor's finger).
export function visibleCodes(order, cluster, { onlyUnanswered, isAnswered, keep = new Set() }) {
  return new Set(
    order
      .filter((item) => item.cluster === cluster)
      .filter((item) => !onlyUnanswered || !isAnswered(item.code) || keep.has(item.code))
      .map((item) => item.code),
  );
}
