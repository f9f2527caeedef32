// A page restored from the browser's back/forward cache is the old page as it
// was shown, flash messages included; the server never sees the visit. Those
// messages belonged to that first view, so they are removed here.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    document.querySelectorAll(".flash").forEach((element) => element.remove());
  }
});
