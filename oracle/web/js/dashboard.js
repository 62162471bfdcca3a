// The dashboard's one script, bundled by esbuild (make install) into oracle/web/static/dist/dashboard.js.
// Each part looks for its own elements and does nothing on pages without them; every page reads
// without JavaScript except the in-browser verification (and signing the sign-in message).
import { setupVerify } from "./verify.js";
import { setupSignIn } from "./signin.js";

document.addEventListener("DOMContentLoaded", () => {
  setupVerify(document);
  setupSignIn(document);
});
