// Sign-in, first set-up (a setup or reset link) and TOTP enrolment.
import { useState, useRef, useEffect } from "preact/hooks";
import { authPost } from "./api.js";
import { Field } from "./ui.jsx";

// SignIn asks for email, password and, when the account needs it, the authenticator's code. A
// first sign-in shows the secret to add to an authenticator app; enrolling shows the recovery
// codes once. onDone is called once the session cookie is set.
export function SignIn({ onDone, email: initialEmail = "", notice = "" }) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState("password");
  const [enrol, setEnrol] = useState(null);
  const [recovery, setRecovery] = useState(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const codeRef = useRef();
  useEffect(() => {
    if (step !== "password" && codeRef.current) codeRef.current.focus();
  }, [step]);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const { status, json } = await authPost("login", { email, password, code });
      if (status !== 200) {
        setError(json.error?.message || "Sign-in failed.");
        return;
      }
      switch (json.status) {
        case "signedIn":
          if (json.recoveryCodes) setRecovery(json.recoveryCodes);
          else onDone();
          return;
        case "totpEnrolmentRequired":
          setEnrol({ secret: json.totpSecret, url: json.otpauthUrl });
          setStep("enrol");
          return;
        case "codeRequired":
          setStep("code");
          return;
        default:
          setError(json.message || "This account signs in with a passkey.");
      }
    } catch {
      setError("The server could not be reached.");
    } finally {
      setBusy(false);
    }
  }

  if (recovery) {
    return (
      <section class="card" aria-labelledby="rc-title">
        <h1 id="rc-title">Recovery codes</h1>
        <p>Keep these codes somewhere safe: each signs you in once if you lose your authenticator. They are shown only now.</p>
        <ul class="codes">{recovery.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        <button type="button" class="primary" onClick={onDone}>Continue</button>
      </section>
    );
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to Pause Studio</h1>
      {notice && <p role="status">{notice}</p>}
      <Field id="signin-email" label="Email">
        <input id="signin-email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <Field id="signin-password" label="Password">
        <input id="signin-password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      {step === "enrol" && enrol && (
        <div class="enrol">
          <p>Add this secret to your authenticator app, then enter the code it shows.</p>
          <Field id="signin-secret" label="Secret" help="Or open the otpauth link on a phone with an authenticator app.">
            <input id="signin-secret" readOnly value={enrol.secret} />
          </Field>
          <p><a href={enrol.url}>Open in an authenticator app</a></p>
        </div>
      )}
      {step !== "password" && (
        <Field id="signin-code" label="Code" help="The 6-digit code of your authenticator app, or a recovery code.">
          <input id="signin-code" ref={codeRef} inputmode="numeric" autocomplete="one-time-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        </Field>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="primary" disabled={busy}>Sign in</button>
    </form>
  );
}

// Setup chooses a password with the token of a setup or reset link, then signs in.
export function Setup({ token, onDone }) {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState("");
  const [user, setUser] = useState(null);
  async function submit(e) {
    e.preventDefault();
    setError("");
    if (password !== repeat) {
      setError("The passwords differ.");
      return;
    }
    const { status, json } = await authPost("setup", { token, password });
    if (status !== 200) {
      setError(json.error?.message || "The link does not work.");
      return;
    }
    setUser(json.user);
  }
  if (user) return <SignIn email={user.email} onDone={onDone} notice="Your password is set: sign in with it." />;
  return (
    <form class="card" onSubmit={submit} aria-labelledby="setup-title">
      <h1 id="setup-title">Choose your password</h1>
      <Field id="setup-password" label="New password" help="At least 8 characters: a few words make a good one.">
        <input id="setup-password" type="password" autocomplete="new-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </Field>
      <Field id="setup-repeat" label="Repeat the password">
        <input id="setup-repeat" type="password" autocomplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
      </Field>
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="primary">Set password</button>
    </form>
  );
}
