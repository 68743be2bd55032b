// Runs before first paint (a classic script in <head>), so a chosen theme never flashes.
try {
  const theme = localStorage.getItem("easel.theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch {
  /* storage may be disabled; the system theme applies */
}
