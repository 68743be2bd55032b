// Generation settings carried inside a PNG, read in the browser: the text chunks (tEXt,
// zTXt, iTXt) are walked with a DataView, and three layouts are understood:
//   * Easel's own `easel` chunk: its generation record as JSON (model_id, seed, width…);
//   * AUTOMATIC1111's `parameters` chunk ("prompt\nNegative prompt: …\nSteps: 20, …");
//   * InvokeAI's `invokeai_metadata` chunk: JSON with positive_prompt, seed, model…
// Nothing is sent anywhere: a file with no settings is just an image.

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TEXT_KINDS = new Set(["tEXt", "zTXt", "iTXt"]);
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const nul = (bytes, from) => {
  const at = bytes.indexOf(0, from);
  return at < 0 ? bytes.length : at;
};

/** The text chunks of a PNG as {keyword: text}; null when it is not a PNG. */
export async function pngText(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(buffer);
  const texts = {};
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const kind = latin1.decode(bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.length));
    at += 12 + length;
    if (kind === "IEND") break;
    if (!TEXT_KINDS.has(kind)) continue;
    const end = nul(body, 0);
    const keyword = latin1.decode(body.subarray(0, end));
    try {
      texts[keyword] = await chunkText(kind, body, end);
    } catch {
      /* a damaged chunk carries nothing we can use */
    }
  }
  return texts;
}

async function chunkText(kind, body, end) {
  if (kind === "tEXt") return latin1.decode(body.subarray(end + 1));
  if (kind === "zTXt") return latin1.decode(await inflate(body.subarray(end + 2)));
  // iTXt: keyword \0 compressed-flag method language \0 translated \0 text
  const compressed = body[end + 1] === 1;
  const language = nul(body, end + 3);
  const translated = nul(body, language + 1);
  const text = body.subarray(translated + 1);
  return utf8.decode(compressed ? await inflate(text) : text);
}

const number = (value) => {
  const n = Number(value);
  return Number.isFinite(n) && String(value).trim() !== "" ? n : undefined;
};

/** AUTOMATIC1111's infotext: prompt lines, a "Negative prompt:" part, then the
 * "Key: value, …" line (values holding , or : are JSON-quoted). */
export function parseInfotext(text) {
  const lines = text.replace(/\r\n?/g, "\n").trim().split("\n");
  const last = lines.at(-1) || "";
  const pairs = {};
  const pattern = /\s*([\w][\w \-/]*?):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)/g;
  if (lines.length > 1 || /^\s*Steps:/.test(last)) {
    for (const found of last.matchAll(pattern)) {
      let value = found[2].trim();
      if (value.startsWith('"')) {
        try {
          value = JSON.parse(value);
        } catch {
          /* keep it quoted */
        }
      }
      pairs[found[1].trim()] = value;
    }
  }
  const body = Object.keys(pairs).length ? lines.slice(0, -1) : lines;
  const negativeAt = body.findIndex((line) => line.startsWith("Negative prompt:"));
  const promptLines = negativeAt < 0 ? body : body.slice(0, negativeAt);
  const negative = negativeAt < 0 ? "" : body.slice(negativeAt).join("\n").replace(/^Negative prompt:\s*/, "");
  return { prompt: promptLines.join("\n").trim(), negative_prompt: negative.trim(), pairs };
}

function fromEasel(record) {
  return {
    source: "Easel",
    prompt: record.prompt,
    negative_prompt: record.negative_prompt || "",
    seed: number(record.seed),
    width: number(record.width),
    height: number(record.height),
    model: record.model_id,
    modelName: record.model_name,
  };
}

function fromInfotext(text) {
  const { prompt, negative_prompt: negative, pairs } = parseInfotext(text);
  const [width, height] = (pairs.Size || "").split("x").map(number);
  return {
    source: "AUTOMATIC1111",
    prompt,
    negative_prompt: negative,
    seed: number(pairs.Seed),
    width,
    height,
    model: pairs["Easel model id"],
    modelName: pairs.Model,
  };
}

function fromInvoke(data) {
  const model = data.model || {};
  return {
    source: "InvokeAI",
    prompt: data.positive_prompt,
    negative_prompt: data.negative_prompt || "",
    seed: number(data.seed),
    width: number(data.width),
    height: number(data.height),
    modelName: model.name || model.model_name,
  };
}

/** The settings a PNG carries ({source, prompt, negative_prompt, seed, width, height,
 * model, modelName}), or null. Easel's record wins over the infotext it also writes. */
export async function readSettings(file) {
  if (!file || file.type !== "image/png") return null;
  const texts = await pngText(await file.arrayBuffer());
  if (!texts) return null;
  try {
    if (texts.easel) return fromEasel(JSON.parse(texts.easel));
    if (texts.invokeai_metadata) return fromInvoke(JSON.parse(texts.invokeai_metadata));
  } catch {
    /* not JSON: fall through to the infotext */
  }
  if (texts.parameters) return fromInfotext(texts.parameters);
  return null;
}
