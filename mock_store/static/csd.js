// The mock of the live site's client-side decryption library (SiegeClientSideDecryption), served
// from the asset origin: Your Orders arrives with each order card encrypted, and this replaces the
// cards one by one, each after a short delay, so that a reader that looks too early sees a
// half-decrypted page, as on the live site. Without a key (its key service out of reach) it
// reloads the page instead, as the live library does, every time.
window.SiegeClientSideDecryption = (function () {
  var pending = 0;
  var reloading = false;
  var DELAY_MS = 40;

  function decrypt(ct, key) {
    var data = atob(ct), k = atob(key), bytes = new Uint8Array(data.length);
    for (var i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) ^ k.charCodeAt(i % k.length);
    return new TextDecoder("utf-8").decode(bytes);
  }

  return {
    decryptInElementWithId: function (id, payload, keyInfo) {
      if (!keyInfo || !keyInfo.k) {
        if (!reloading) window.location.reload();
        reloading = true;
        return;
      }
      pending += 1;
      setTimeout(function () {
        var element = document.getElementById(id);
        if (!element) return;
        var holder = document.createElement("div");
        holder.innerHTML = decrypt(payload.ct, keyInfo.k);
        element.replaceWith.apply(element, Array.prototype.slice.call(holder.childNodes));
      }, DELAY_MS * pending);
    },
  };
})();
