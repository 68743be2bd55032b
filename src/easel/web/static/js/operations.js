// Operations on an image, as the studio offers them: what each is called, whether it
// needs, takes or refuses a prompt (mirroring the server's `easel.engine.operations`),
// and which models can do it (their `capabilities.operations`).

export const OPERATIONS = {
  edit: { label: "Edit with a prompt", verb: "Edit", prompt: "required", hint: "Say what to change." },
  inpaint: { label: "Inpaint (repaint an area)", verb: "Inpaint", prompt: "optional", hint: "Paint the area to repaint; a prompt says what goes there." },
  outpaint: { label: "Outpaint (extend the canvas)", verb: "Outpaint", prompt: "optional", hint: "Pull the edges out; a prompt says what to add." },
  upscale: { label: "Upscale", verb: "Upscale", prompt: "optional", hint: "Each side ×2 or ×4." },
  variations: { label: "Variations", verb: "Make variations", prompt: "optional", hint: "New pictures on the same theme." },
  remove_background: { label: "Remove background", verb: "Remove background", prompt: "none", hint: "The subject on a transparent background." },
  style_transfer: { label: "Style transfer", verb: "Transfer the style", prompt: "optional", hint: "The image in another image's colours and treatment." },
};

/** Operations whose result's size follows from the image: size and aspect ratio are
 * refused with them. */
export const SIZED_BY_SOURCE = new Set(["inpaint", "outpaint", "upscale", "remove_background", "style_transfer"]);

/** The image operations in the order offered. */
export const IMAGE_OPERATIONS = Object.keys(OPERATIONS);

export function canDo(model, operation) {
  return (model.capabilities.operations || ["generate"]).includes(operation);
}

/** Available models able to do `operation`. */
export function modelsFor(models, operation) {
  return models.filter((m) => m.available && canDo(m, operation));
}

/** A job's title: its prompt, or for an operation without one, the operation. */
export function jobTitle(job) {
  return job.prompt || (job.operation && job.operation !== "generate" ? operationTitle(job.operation, job.params) : "");
}

/** The operation's name as a result's header says it ("Upscale ×2"). */
export function operationTitle(operation, params = {}) {
  if (operation === "upscale") return params.factor ? `Upscale ×${params.factor}` : "Upscale";
  const entry = OPERATIONS[operation];
  return entry ? entry.verb : operation;
}
