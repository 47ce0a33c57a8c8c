/* Activities: the organiser's rotating code refreshes itself; the participant scans the QR code with the phone's
   camera (the BarcodeDetector polyfill, its zxing decoder served from our own static files) or types the code.
   Declared with data- attributes in the templates (no inline script: CSP). */
(function () {
  "use strict";

  // [data-refresh-after="seconds"]: reload when the code shown has rotated.
  var refresh = document.querySelector("[data-refresh-after]");
  if (refresh) {
    var seconds = parseInt(refresh.getAttribute("data-refresh-after"), 10) || 30;
    window.setTimeout(function () { window.location.reload(); }, (seconds + 1) * 1000);
  }

  var box = document.querySelector("[data-scanner]");
  if (!box) { return; }
  var form = document.querySelector("[data-scan-form]");
  var video = box.querySelector("[data-scan-video]");
  var error = box.querySelector("[data-scan-error]");
  var wasm = box.getAttribute("data-wasm");
  // [data-scan-raw]: the code is the QR code's whole text (a member's personal code), not a link's ?t=
  var raw = box.hasAttribute("data-scan-raw");

  function fail() {
    error.classList.remove("d-none");
    video.classList.add("d-none");
  }

  function tokenOf(text) {
    if (raw) { return (text || "").trim(); }
    try {
      var url = new URL(text, window.location.href);
      return url.searchParams.get("t") || "";
    } catch (e) {
      return "";
    }
  }

  box.addEventListener("click", function (event) {
    if (!event.target.closest("[data-scan-start]")) { return; }
    var api = window.BarcodeDetectionAPI;
    if (api && api.setZXingModuleOverrides && wasm) {
      api.setZXingModuleOverrides({ locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasm : prefix + path; } });
    }
    if (!window.BarcodeDetector || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { fail(); return; }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.classList.remove("d-none");
      return video.play().then(function () {
        var tick = function () {
          detector.detect(video).then(function (codes) {
            var token = codes.length ? tokenOf(codes[0].rawValue) : "";
            if (token) {
              stream.getTracks().forEach(function (track) { track.stop(); });
              form.querySelector("[name=code]").value = token;
              form.submit();
            } else {
              window.setTimeout(tick, 300);
            }
          }).catch(function () { window.setTimeout(tick, 500); });
        };
        tick();
      });
    }).catch(fail);
  });
})();
