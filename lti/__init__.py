"""LTI 1.3: this service as a tool that an LMS (Canvas, Moodle, Open edX) launches.

Library: pylti1p3 2.0.0, used only by `lti.adapter`, so that a maintained fork
(pylti1p3next, say) can replace it by changing that one module. django-lti 0.10
(which is built on pylti1p3 and supports Django 5.2) was considered and not
taken, because:
- for a launch from a deployment it does not know, it *creates* the deployment
  (inactive) instead of refusing; we must refuse and create nothing;
- its own registration, user, context and membership tables would duplicate
  courses.Course and courses.Enrollment, which every other surface reads;
- it publishes every active key, while we publish exactly the current and the
  previous one.
What we keep from pylti1p3: OIDC login initiation (state cookie, nonce), the
id_token checks (signature against the platform's keyset, issuer, audience,
expiry, deployment, message claims), and later its AGS / NRPS / deep-linking
clients. What we add: a nonce is accepted once (pylti1p3 only checks that we
issued it), the keyset fetch has a timeout and a cache, registrations are tied
to a course.

Dependencies point one way: lti imports courses and grader, never the reverse.

Cookies: the LMS posts the launch from its own site, so the state cookie set
at login must be `SameSite=None; Secure` to come back with that cross-site
POST. pylti1p3's Django cookie service does that whenever the request is
secure, so production must serve HTTPS with `request.is_secure()` true
(BEHIND_TLS_PROXY=1 behind a TLS proxy). The nonce lives in Django's cache
(pylti1p3's DjangoCacheDataStorage, the storage it documents for launches in
iframes, where the session cookie may not be sent); with several web
processes that cache must be shared (Redis), not the per-process default.
After the launch the user has an ordinary Django session: inside an LMS
iframe that cookie is third-party, so either the LMS opens the tool in a new
window (the usual setting) or SESSION_COOKIE_SAMESITE must be "None" over
HTTPS.
"""
