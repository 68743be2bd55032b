// Images brought to the studio from outside: dropped anywhere on it or pasted (Ctrl+V).
// A PNG carrying generation settings (pngmeta.js) fills the form, and a notice says what
// was taken and offers the file as the source image too; any other image becomes the
// source image at once. Drops on the reference images' own zone are left to it.

import { readSettings } from "./pngmeta.js";
import { ACCEPT } from "./source.js";
import { button, fill, h, icon, toast } from "./ui.js";

const usable = (files) => [...(files || [])].find((f) => ACCEPT.split(",").includes(f.type));

/**
 * @param {{page: HTMLElement, source: object, fillSettings: (found: object) => string[]}} options
 *   fillSettings puts a PNG's settings into the form and names what it set.
 * @returns {{notice: HTMLElement, stop: () => void}}
 */
export function imageIntake({ page, source, fillSettings }) {
  const notice = h("div", { class: "alert info", id: "png-settings", role: "status", hidden: true });

  async function take(file) {
    if (!file) {
      toast("Drop a PNG, JPEG or WebP image.", { error: true });
      return;
    }
    const found = await readSettings(file).catch(() => null);
    if (!found) {
      await source.uploadFile(file);
      return;
    }
    const filled = fillSettings(found);
    const useAsSource = async () => {
      notice.hidden = true;
      await source.uploadFile(file);
    };
    fill(notice, 
      icon("sparkles"),
      h(
        "div",
        {},
        h("p", {}, `Settings from ${found.source} in ${file.name || "the image"}: ${filled.join(", ") || "nothing this studio can use"}.`),
        found.modelName && !filled.includes("model") ? h("p", { class: "hint" }, `Its model (${found.modelName}) is not one of Easel's; your models are kept.`) : null,
        h(
          "div",
          { class: "row" },
          button("Work on this image too", { kind: "small", iconName: "image", id: "png-as-source", onclick: useAsSource }),
          button("Dismiss", { kind: "small ghost", id: "png-dismiss", onclick: () => (notice.hidden = true) }),
        ),
      ),
    );
    notice.hidden = false;
    notice.scrollIntoView({ block: "nearest" });
  }

  page.addEventListener("dragover", (event) => {
    if (event.defaultPrevented || !event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
    event.preventDefault();
    page.classList.add("dropping");
  });
  page.addEventListener("dragleave", (event) => {
    if (!page.contains(event.relatedTarget)) page.classList.remove("dropping");
  });
  page.addEventListener("drop", (event) => {
    page.classList.remove("dropping");
    if (event.defaultPrevented || !event.dataTransfer) return; // the reference images' own zone
    event.preventDefault();
    take(usable(event.dataTransfer.files));
  });
  const onPaste = (event) => {
    const file = usable(event.clipboardData && event.clipboardData.files);
    if (!file) return; // text pastes as usual
    event.preventDefault();
    take(file);
  };
  document.addEventListener("paste", onPaste);
  return { notice, stop: () => document.removeEventListener("paste", onPaste) };
}
