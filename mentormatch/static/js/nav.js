// The main navigation is a <details> menu. On a wide screen the stylesheet shows its links in the bar
// even while it is closed (::details-content); a browser without that selector gets it opened here
// instead. Without JavaScript such a browser still has a working "Menu" button.
(function () {
  "use strict";
  var menu = document.querySelector("details.nav-menu");
  if (!menu || (window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) {
    return;
  }
  var wide = window.matchMedia("(min-width: 1024px)");
  function follow() {
    menu.open = wide.matches;
    menu.classList.toggle("nav-menu-inline", wide.matches);
  }
  follow();
  if (wide.addEventListener) {
    wide.addEventListener("change", follow);
  }
})();
