// Time-zone search box (practices/forms.py TimeZoneInput). Optional: without it the field is a
// plain search over every zone, the practice country's first. With it, changing the country
// moves that country's zones to the top, and an empty box gets this device's own zone.
(function () {
  "use strict";
  document.querySelectorAll("input[data-likely-zones]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var country = input.form && input.form.elements.namedItem("country");
    var byCountry;
    try { byCountry = JSON.parse(input.dataset.likelyZones); } catch (e) { return; }
    if (!list) return;

    function option(zone) {
      return list.querySelector('option[value="' + CSS.escape(zone) + '"]');
    }
    var own;
    try { own = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { own = null; }
    if (own && !option(own)) own = null;  // only a zone the server accepts

    // The country's zones first, then this device's zone (the client is often in the room).
    function putFirst(pairs) {
      list.querySelectorAll("option[label]").forEach(function (o) { o.removeAttribute("label"); });
      var first = pairs.slice();
      if (own && !first.some(function (p) { return p[0] === own; })) {
        first.push([own, "This device's time zone"]);
      }
      first.reverse().forEach(function (pair) {
        var o = option(pair[0]);
        if (!o) return;
        if (pair[1]) o.setAttribute("label", pair[1]);
        list.insertBefore(o, list.firstChild);
      });
    }
    function likely() { return (country && byCountry[country.value]) || []; }
    if (country) country.addEventListener("change", function () { putFirst(likely()); });
    putFirst(likely());
    if (own && !input.value) input.value = own;
  });
})();
