/*
 * Runs before the app's modules (a classic script at the top of <head>, from this origin as the
 * Content-Security-Policy wants). tfjs-core reads every URL parameter with decodeURIComponent as it
 * loads (it looks for ?tfjsflags=), and one malformed escape — a hand-typed "100%", a link cut in
 * the middle of a character ("%E2%82") — threw URIError there and left a blank page.
 *
 * Each parameter decodeURIComponent refuses is rewritten as the browser's own lenient reading of it
 * (URLSearchParams: a stray "%" stays a "%", bytes that are not UTF-8 become U+FFFD), re-encoded.
 * The page then reads the URL by its own rules (src/ui/urlState.ts: a value holding U+FFFD is a
 * broken link and keeps its default). Well-formed URLs are not touched.
 */
(function () {
  var search = window.location.search;
  if (search.length < 2) return;
  var lenient = function (text) {
    return new URLSearchParams('x=' + text).get('x') || '';
  };
  var changed = false;
  var pairs = search
    .slice(1)
    .split('&')
    .map(function (pair) {
      try {
        decodeURIComponent(pair);
        return pair;
      } catch (error) {
        changed = true;
        var eq = pair.indexOf('=');
        if (eq < 0) return encodeURIComponent(lenient(pair));
        return encodeURIComponent(lenient(pair.slice(0, eq))) + '=' + encodeURIComponent(lenient(pair.slice(eq + 1)));
      }
    });
  if (changed) window.history.replaceState(window.history.state, '', window.location.pathname + '?' + pairs.join('&') + window.location.hash);
})();
