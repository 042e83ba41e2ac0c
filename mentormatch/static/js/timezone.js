// The profile form's time zone list: when the person has not chosen a zone yet, preselect the zone
// their browser is in. Without JavaScript the list starts at "Choose your time zone".
(function () {
  "use strict";
  var select = document.querySelector("select[data-browser-zone]");
  if (!select || select.value !== "" || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  // Browsers may report an old name (Chrome says "Asia/Calcutta"): each option lists the old names
  // that point to it in data-also.
  var found = null;
  for (var i = 0; i < select.options.length && !found; i++) {
    var option = select.options[i];
    var also = (option.getAttribute("data-also") || "").split(" ");
    if (option.value === zone || also.indexOf(zone) !== -1) {
      found = option;
    }
  }
  if (found) {
    select.value = found.value;
  }
})();
