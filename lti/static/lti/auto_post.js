// Sends the deep-linking answer back to the LMS as soon as the page loads
// (the button stays for a browser without scripts).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("lti-deep-link-return");
  if (form) {
    form.submit();
  }
});
