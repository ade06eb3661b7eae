// Sign-up forms submit in place when JavaScript runs; without it they post as ordinary forms.
(function () {
  "use strict";
  function show(form, text, isError) {
    var status = form.querySelector(".signup__status");
    var input = form.querySelector('input[name="email"]');
    status.textContent = text;
    status.classList.toggle("signup__status--error", isError);
    if (isError) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", status.id);
      input.focus();
    } else {
      input.removeAttribute("aria-invalid");
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-signup]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (data.ok) {
            show(form, data.message, false);
            form.querySelector('input[name="email"]').value = "";
          } else {
            var errors = data.errors ? data.errors.email || Object.values(data.errors)[0] : [data.message];
            show(form, errors.join(" "), true);
          }
        });
      })
      .catch(function () { form.submit(); })  // no answer we can read: fall back to the page
      .finally(function () { button.disabled = false; });
  });
})();
