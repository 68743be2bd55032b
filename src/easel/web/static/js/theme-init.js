// Runs before first paint (a classic script in <head>), so the theme never flashes.
// The page always carries data-theme: the user's choice, or else the system's, followed
// live, so the stylesheet needs only one dark palette.
(() => {
  const system = matchMedia("(prefers-color-scheme: dark)");
  const chosen = () => {
    try {
      const theme = localStorage.getItem("easel.theme");
      return theme === "light" || theme === "dark" ? theme : null;
    } catch {
      return null; // storage may be disabled; the system theme applies
    }
  };
  const apply = () => {
    document.documentElement.dataset.theme = chosen() || (system.matches ? "dark" : "light");
  };
  apply();
  system.addEventListener("change", () => {
    if (!chosen()) apply();
  });
})();
