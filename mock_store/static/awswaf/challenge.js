// The mock of AWS WAF's challenge script, served from the store's asset origin as the live one is
// served from an awswaf.com host: it asks that origin for a token (the live script first proves
// work and sends browser signals), sets it as the `aws-waf-token` cookie on the store's own origin,
// and lets the page reload itself. A token the service refuses leaves the page where it is.
window.AwsWafIntegration = (function () {
  var service = new URL("/awswaf/verify", document.currentScript.src).href;

  function getToken() {
    return fetch(service, {method: "POST", body: JSON.stringify({context: window.gokuProps.context})})
      .then(function (answer) {
        if (!answer.ok) throw new Error("challenge not passed");
        return answer.json();
      })
      .then(function (body) {
        document.cookie = "aws-waf-token=" + body.token + "; path=/; SameSite=Lax";
        return body.token;
      });
  }

  return {
    saveReferrer: function () {},
    checkForceRefresh: function () { return Promise.resolve(false); },
    forceRefreshToken: getToken,
    getToken: getToken,
  };
})();
