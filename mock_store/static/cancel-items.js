// Cancel items: the submit button stays disabled until an item is ticked; "Select all"/"Clear"
// toggles every item; the drop-down and the free-text box are copied into the form on submit;
// the button disables itself on the first click so the form is sent once.
(function () {
  var form = document.getElementById("cancel-items-form");
  if (!form) return;
  var boxes = form.querySelectorAll("div[data-itemid] input[type=checkbox]");
  var toggle = document.getElementById("select-toggle-link");
  var wrapper = document.getElementById("preship-cancel-submit-button");
  var button = document.getElementById("preship-cancel-submit-button-announce");
  var texts = JSON.parse(toggle.parentNode.getAttribute("data-cancel-items-select-all"));
  var sent = false;

  function ticked() {
    return Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
  }
  function refresh() {
    var any = ticked() > 0;
    button.disabled = !any || sent;
    wrapper.classList.toggle("a-button-disabled", button.disabled);
    toggle.textContent = ticked() === boxes.length ? texts.clearAllText : texts.selectAllText;
  }
  Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", refresh); });
  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    var all = ticked() !== boxes.length;
    Array.prototype.forEach.call(boxes, function (b) { b.checked = all; });
    refresh();
  });
  button.addEventListener("click", function () {
    if (sent || ticked() === 0) return;
    sent = true;
    form.elements.cancelReason.value = document.getElementById("cancel-reasons-dropdown").value;
    form.elements.cancelNote.value = document.getElementById("cancel-reason-additional-input").value;
    refresh();
    form.submit();
  });
  refresh();
})();
