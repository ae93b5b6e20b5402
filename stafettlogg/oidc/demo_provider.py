"""`make run`: the demo with a local OpenID provider (oidc-provider-mock) in a thread on its
own port, configured as both "ID-porten (test)" and the staff provider.

Demo only: it refuses to start unless STAFETTLOGG_DEMO=1, and the app never imports it.
On the provider's form a newcomer picks a person (README "Demo identities"): the demo
mother's fødselsnummer signs in with ID-porten, a staff member's e-mail as staff.
"""

import argparse
import os
import sys
import threading

import oidc_provider_mock
import werkzeug.serving

from stafettlogg.application import create_app

# The demo people the provider offers: ID-porten persons (fødselsnummer as subject and pid)
# and staff (e-mail as subject and claim). sid lets front-channel logout be tried by hand.
IDPORTEN_PEOPLE = (
    ("12078510062", "Fatima Hansen"),  # demo.DEMO_MOTHER_PID, «foresatt»
    ("22040950587", "Sara Ahmadi"),  # demo.DEMO_YOUTH_PID, a youth with own access
)
STAFF_PEOPLE = (
    ("kari.ottesen@demo.kommune.no", "Kari Ottesen"),
    ("eva.enhetsleder@demo.kommune.no", "Eva Enhetsleder"),
    ("karianne.petrusen@demo.kommune.no", "Karianne Petrusen"),
    ("larer@demo.kommune.no", "Mari Lund"),
)
CLIENT_ID = "stafettlogg-demo"
CLIENT_SECRET = "demo-client-secret"  # noqa: S105 - the mock accepts any client


def demo_users():
    users = [
        oidc_provider_mock.User(sub=pid, claims={"pid": pid, "acr": "idporten-loa-high", "name": name})
        for pid, name in IDPORTEN_PEOPLE
    ]
    users += [
        oidc_provider_mock.User(
            sub=email,
            # a sign-in with a second factor, as Entra ID reports one (README "A second
            # factor for staff"): STAFF_OIDC_AMR_VALUES=mfa can be tried in the demo
            claims={"email": email, "email_verified": True, "name": name, "sid": f"demo-{i}", "amr": ["pwd", "mfa"]},
        )
        for i, (email, name) in enumerate(STAFF_PEOPLE, start=1)
    ]
    return users


def start_provider(port: int) -> tuple[str, object]:
    """The provider on 127.0.0.1:port (0: any free port), served in a daemon thread."""
    provider = oidc_provider_mock.app(require_nonce=True, user_claims=demo_users())
    server = werkzeug.serving.make_server("127.0.0.1", port, provider, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def demo_environment(issuer: str) -> dict[str, str]:
    return {
        "IDPORTEN_ISSUER": issuer,
        "IDPORTEN_CLIENT_ID": CLIENT_ID,
        "IDPORTEN_CLIENT_SECRET": CLIENT_SECRET,
        "STAFF_OIDC_ISSUER": issuer,
        "STAFF_OIDC_CLIENT_ID": CLIENT_ID,
        "STAFF_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        # the demo provider stands in for the municipality's directory: a person typed on
        # its form (an e-mail as subject, no email_verified) is looked up like a listed one
        "STAFF_OIDC_EMAIL_TRUSTED": "1",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000, help="the app's port")
    parser.add_argument("--provider-port", type=int, default=5001, help="the OpenID provider's port")
    args = parser.parse_args(argv)
    if os.environ.get("STAFETTLOGG_DEMO") != "1":
        print("The demo OpenID provider runs only in the demo (STAFETTLOGG_DEMO=1).", file=sys.stderr)
        return 2
    issuer, _server = start_provider(args.provider_port)
    os.environ.update(demo_environment(issuer))

    app = create_app()
    print(f"Demo OpenID provider (ID-porten test and staff): {issuer}", flush=True)
    app.run(host="127.0.0.1", port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
