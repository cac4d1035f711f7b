// Pause Studio: the editors' UI. main.jsx mounts the app and routes /studio/... to pages.
import "./style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { session, expired, start, signOut, reauthenticated } from "./api.js";
import { SignIn, Setup } from "./signin.jsx";
import { List } from "./list.jsx";
import { Editor } from "./editor.jsx";
import { Admin } from "./admin.jsx";
import { MediaPage } from "./media.jsx";
import { Link, path, navigate } from "./ui.jsx";
import { types, viewer, loadTypes, typeByPlural, isAdmin } from "./types.js";

function Header() {
  const u = session.value?.user;
  return (
    <header class="top">
      <Link href="/studio/" class="brand">Pause Studio</Link>
      <nav aria-label="Content">
        <ul>
          {(types.value || []).map((t) => (
            <li key={t.name}><Link href={"/studio/" + t.plural} aria-current={path.value.startsWith("/studio/" + t.plural) ? "page" : undefined}>{t.label + "s"}</Link></li>
          ))}
          <li><Link href="/studio/media" aria-current={path.value.startsWith("/studio/media") ? "page" : undefined}>Media</Link></li>
          {isAdmin() && <li><Link href="/studio/admin" aria-current={path.value.startsWith("/studio/admin") ? "page" : undefined}>Admin</Link></li>}
        </ul>
      </nav>
      <span class="who">{u?.email} {viewer.value && <span class="role">({viewer.value.role.toLowerCase()})</span>}</span>
      <button type="button" onClick={() => signOut().then(() => navigate("/studio/", true))}>Sign out</button>
    </header>
  );
}

function Home() {
  return (
    <>
      <h1>Content</h1>
      {types.value.map((t) => <List key={t.name} type={t} compact />)}
    </>
  );
}

function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>There is no page at {path.value}. <Link href="/studio/">Back to the content</Link>.</p>
    </>
  );
}

// route picks the page for the path.
function Page() {
  const parts = path.value.split("?")[0].replace(/^\/studio\/?/, "").split("/").filter(Boolean);
  if (parts.length === 0) return <Home />;
  if (parts[0] === "media" && parts.length === 1) return <MediaPage />;
  if (parts[0] === "admin" && parts.length === 1) return isAdmin() ? <Admin /> : <NotFound />;
  const t = typeByPlural(parts[0]);
  if (!t) return <NotFound />;
  if (parts.length === 1) return <List key={t.name} type={t} />;
  if (parts.length === 2) return <Editor key={parts[1]} type={t} id={parts[1] === "new" ? null : parts[1]} />;
  return <NotFound />;
}

// Reauth signs in again in a dialog when the session ends while editing: the page under it,
// and its form, stay as they are.
function Reauth() {
  return (
    <div class="backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby="signin-title" class="dialog">
        <SignIn email={session.value?.user?.email || ""} notice="Your session has ended: sign in again to go on. Your changes are kept." onDone={reauthenticated} />
      </div>
    </div>
  );
}

function App() {
  const [failed, setFailed] = useState("");
  const s = session.value;
  useEffect(() => {
    start();
  }, []);
  useEffect(() => {
    if (s?.user && !types.value) loadTypes().catch((e) => setFailed(e.message));
  }, [s]);
  const setup = path.value.startsWith("/studio/setup");
  if (!s) return <main id="main"><p>Loading…</p></main>;
  if (setup) {
    const token = new URLSearchParams(location.search).get("token") || "";
    return <main id="main" class="narrow"><Setup token={token} onDone={() => start().then(() => navigate("/studio/", true))} /></main>;
  }
  if (s.signedOut) return <main id="main" class="narrow"><SignIn onDone={start} /></main>;
  return (
    <>
      <Header />
      <main id="main">
        {failed && <p class="error" role="alert">{failed}</p>}
        {types.value ? <Page /> : !failed && <p>Loading…</p>}
      </main>
      {expired.value && <Reauth />}
    </>
  );
}

// A new sign-in starts from a clean slate: the types and the role may differ.
session.subscribe((s) => {
  if (s?.signedOut) {
    types.value = null;
    viewer.value = null;
  }
});

const root = document.getElementById("app");
root.textContent = ""; // the "Loading" line of index.html
render(<App />, root);
