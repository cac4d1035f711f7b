// Small shared pieces: a labelled field with its help and error, links that navigate inside
// the app, dates.
import { cloneElement } from "preact";
import { signal } from "@preact/signals";

// Field labels its one control and ties its help, error and warning to it (aria-describedby),
// marking the control aria-invalid while there is an error. A warning does not block.
export function Field({ id, label, help, error, counter, warning, children }) {
  const described = [help && id + "-help", error && id + "-error", counter && id + "-count", warning && id + "-warn"].filter(Boolean).join(" ");
  const control = cloneElement(children, {
    "aria-describedby": described || undefined,
    "aria-invalid": error ? "true" : undefined,
  });
  return (
    <div class={"field" + (error ? " invalid" : "")}>
      <label for={id}>{label}</label>
      {control}
      {help && <p class="help" id={id + "-help"}>{help}</p>}
      {counter && <p class="counter" id={id + "-count"}>{counter}</p>}
      {warning && <p class="warning" id={id + "-warn"}>{warning}</p>}
      {error && <p class="error" id={id + "-error"}>{error}</p>}
    </div>
  );
}

// path is the app's location (under /studio/); navigate changes it.
export const path = signal(location.pathname + location.search);
addEventListener("popstate", () => {
  path.value = location.pathname + location.search;
});

// guard, when set, is asked before leaving the page (a dirty form): false stays.
export const guard = { current: null };

export function navigate(to, replace = false) {
  if (guard.current && !guard.current()) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  path.value = to;
  scrollTo(0, 0);
}

// Link is an anchor that navigates inside the app (and opens a new tab like any link).
export function Link({ href, children, ...rest }) {
  function click(e) {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  }
  return <a href={href} onClick={click} {...rest}>{children}</a>;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

// when shows a time in the editor's time zone.
export function when(t) {
  return t ? dateFormat.format(new Date(t)) : "";
}

// zone is the editor's time zone, shown beside times.
export const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
