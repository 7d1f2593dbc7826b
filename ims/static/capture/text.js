// Words on the capture screen: the page's strings filled in, and the checklist's texts in the chosen language.

export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
}

// The chosen language, else English marked as such: a missing translation is never hidden.
export function inLanguage(texts, language) {
  const text = texts && texts[language];
  if (text) {
    return { text, lang: language };
  }
  return { text: (texts && texts.en) || "", lang: "en" };
}
