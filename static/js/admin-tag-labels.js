// Wagtail's tag field (jQuery tag-it) draws its own text box beside the hidden input its label
// names, so screen readers announce an unlabelled box (axe: "label"). Give the box the field's name.
(function () {
  function name() {
    document.querySelectorAll(".tagit input.ui-autocomplete-input:not([aria-label])").forEach(function (box) {
      var field = box.closest(".w-field");
      var input = field && field.querySelector("input[id]:not(.ui-autocomplete-input)");
      var label = input && document.querySelector('label[for="' + input.id + '"]');
      if (label) box.setAttribute("aria-label", label.textContent.replace("*", "").trim());
    });
  }
  new MutationObserver(name).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", name);
})();
