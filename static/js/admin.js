// The admin's search-as-you-type selects (autocomplete_fields, Django's Select2): Select2
// names its combobox and the box showing the choice only by the chosen value, so an empty
// one has no accessible name (WCAG 4.1.2). Name both by the field's own label as well,
// once Select2 has drawn them.
(function () {
  "use strict";
  function nameComboboxes() {
    document.querySelectorAll("select.admin-autocomplete[id]").forEach(function (select) {
      var label = document.querySelector("label[for='" + select.id + "']");
      var rendered = document.getElementById("select2-" + select.id + "-container");
      var combobox = rendered && rendered.closest(".select2-selection");
      if (!label || !combobox) return;
      label.id = label.id || select.id + "_label";
      combobox.setAttribute("aria-labelledby", label.id + " " + rendered.id);
      rendered.setAttribute("aria-labelledby", label.id + " " + rendered.id);
    });
  }
  // After Django's autocomplete.js, which draws Select2 in a jQuery ready handler (run in
  // the order registered, so this one comes after it; jQuery may run them after "load").
  if (window.django && window.django.jQuery) window.django.jQuery(nameComboboxes);
  document.addEventListener("formset:added", function () { setTimeout(nameComboboxes, 0); });
})();
