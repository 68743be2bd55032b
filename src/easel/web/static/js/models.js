// What the chosen models accept, mirrored from the server's capability checks so the
// studio offers only settings that will pass (the server still has the last word).

export const STANDARD_SIZES = [
  "256x256",
  "512x512",
  "768x768",
  "1024x1024",
  "1024x768",
  "768x1024",
  "1536x1024",
  "1024x1536",
  "1280x720",
  "720x1280",
];
export const STANDARD_RATIOS = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "9:21"];

const gcd = (a, b) => (b ? gcd(b, a % b) : a);

export function parseSize(size) {
  const [w, h] = size.split("x").map(Number);
  return [w, h];
}

export function ratioOf(width, height) {
  const d = gcd(width, height);
  return `${width / d}:${height / d}`;
}

export function acceptsSize(model, size) {
  const caps = model.capabilities;
  const [w, h] = parseSize(size);
  if (caps.sizes.length) return caps.sizes.includes(size);
  if (caps.ratio_only) return caps.aspect_ratios.includes(ratioOf(w, h));
  const sides = [w, h].every((side) => side >= caps.min_side && side <= caps.max_side && side % caps.size_multiple === 0);
  const pixels = (!caps.min_pixels || w * h >= caps.min_pixels) && (!caps.max_pixels || w * h <= caps.max_pixels);
  const shape = !caps.max_aspect || Math.max(w, h) <= caps.max_aspect * Math.min(w, h);
  return sides && pixels && shape;
}

export function acceptsRatio(model, ratio) {
  const caps = model.capabilities;
  if (caps.aspect_ratios.includes(ratio)) return true;
  return caps.sizes.some((size) => ratioOf(...parseSize(size)) === ratio);
}

/** Sizes (the standard ones and `extra`) and aspect ratios every selected model accepts. */
export function shapeOptions(selected, extra = []) {
  const sizes = new Set([...STANDARD_SIZES, ...extra]);
  const ratios = new Set(STANDARD_RATIOS);
  for (const model of selected) {
    model.capabilities.sizes.forEach((s) => sizes.add(s));
    model.capabilities.aspect_ratios.forEach((r) => ratios.add(r));
  }
  const bySide = (a, b) => parseSize(a)[0] * parseSize(a)[1] - parseSize(b)[0] * parseSize(b)[1];
  return {
    sizes: [...sizes].filter((s) => selected.every((m) => acceptsSize(m, s))).sort(bySide),
    ratios: [...ratios].filter((r) => selected.every((m) => acceptsRatio(m, r))),
  };
}

/** The selected models lacking a boolean capability (seed, negative_prompt…). */
export function lacking(selected, capability) {
  return selected.filter((m) => !m.capabilities[capability]);
}

export function commonStyles(selected) {
  if (!selected.length) return [];
  return selected[0].capabilities.styles.filter((style) =>
    selected.every((m) => m.capabilities.styles.includes(style)),
  );
}

export function capabilityChips(model) {
  const caps = model.capabilities;
  const chips = [];
  if (caps.seed) chips.push("seed");
  if (caps.negative_prompt) chips.push("negative prompt");
  if (caps.styles.length) chips.push(`${caps.styles.length} styles`);
  if (caps.previews) chips.push("live preview");
  if (caps.reference_images) chips.push("references");
  chips.push(`up to ${caps.max_n}`);
  return chips;
}

export function priceLabel(model) {
  const usd = Number(model.price.per_image_usd);
  if (model.kind === "offline" || usd === 0) return "Free";
  const text = usd < 0.01 ? usd.toFixed(4) : usd.toFixed(3);
  return `$${text} / image`;
}

/** "Shuts down 1 Dec 2026" for a deprecated model ("Deprecated" while the vendor has
 * announced no date), or null for one that is not deprecated. */
export function shutdownLabel(model) {
  const life = model.lifecycle;
  if (!life || life.status !== "deprecated") return null;
  if (!life.shutdown_date) return "Deprecated";
  const [y, m, d] = life.shutdown_date.split("-").map(Number);
  const day = new Date(y, m - 1, d).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  return `Shuts down ${day}`;
}

/** A badge for a deprecated model: its shutdown date, and what to use instead. */
export function lifecycleBadge(model, models) {
  const label = shutdownLabel(model);
  if (!label) return null;
  const replacement = model.lifecycle.replacement;
  const instead = replacement ? (models.find((m) => m.id === replacement) || { name: replacement }).name : null;
  const badge = document.createElement("span");
  badge.className = "chip warning lifecycle";
  if (model.lifecycle.shutdown_date) badge.dataset.shutdown = model.lifecycle.shutdown_date;
  badge.textContent = label;
  if (instead) badge.title = `${model.name} is being retired; use ${instead} instead.`;
  return badge;
}
