// A Print button for pages made to be printed (the pre-session brief). Without JavaScript the
// button stays hidden and the browser's own Print command does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
