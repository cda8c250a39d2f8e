// tikpost's own small scripts; every page works without them.
"use strict";

// <button data-copy="#id"> copies that element's text (a key or secret shown once).
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  await navigator.clipboard.writeText(source.textContent.trim());
  button.textContent = "Copied";
});
